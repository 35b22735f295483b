package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images the zstd and pzstd CLIs wrote, flashed through the whole pipeline (file source, codec detected by
 * probing, SHA-256, the real sink into a regular file): the target holds the image byte for byte.
 */
class ZstdPipelineTest {

    @TempDir
    Path dir;

    private Flasher flasher() {
        ProviderRegistry installed = ProviderRegistry.load();
        return new Flasher(ProviderRegistry.of(installed.sources(), List.of(new ZstdCodec()), installed.sinks()));
    }

    @Test
    void cliImagesFlashByteExact() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (List<String> flags : List.of(List.of("zstd"), List.of("zstd", "-T0", "--long=31"),
                List.of("zstd", "--no-check", "-1"), List.of("pzstd", "-p", "2"))) {
            int size = 4096 * (1 + random.nextInt(2048));
            byte[] image = TestImages.diskLike(random, size);
            Path compressed = compress(image, flags);
            Path target = dir.resolve("target.img");
            Files.deleteIfExists(target);
            FlashResult result = flasher().flash(FlashPlan.of(compressed.toUri(), target)
                    .withOption("create", "true")
                    .withExpectedSha256(TestImages.sha256(image)));
            String where = flags.toString() + ", size " + size + ", " + Seeds.describe(seed);
            assertThat(result.codec()).as(where).isEqualTo("zstd");
            assertThat(Arrays.copyOf(Files.readAllBytes(target), size)).as(where).isEqualTo(image);
        }
    }

    @Test
    void theCodecIsFoundAsAService() throws Exception {
        assertThat(ProviderRegistry.load().codec("zstd")).isInstanceOf(ZstdCodec.class);
    }

    @Test
    void aTruncatedImageFailsTheFlash() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 4 << 20);
        Path compressed = compress(image, List.of("zstd"));
        byte[] bytes = Files.readAllBytes(compressed);
        Files.write(compressed, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        Path target = dir.resolve("target.img");
        assertThatThrownBy(() -> flasher().flash(FlashPlan.of(compressed.toUri(), target).withOption("create", "true")))
                .as(Seeds.describe(seed))
                // Refused before the first write, or aborted after it: either way for the corrupt image.
                .satisfiesAnyOf(
                        e -> assertThat(e).isInstanceOf(CorruptImageException.class),
                        e -> assertThat(e).isInstanceOf(FlashAbortedException.class)
                                .hasRootCauseInstanceOf(CorruptImageException.class));
    }

    @Test
    void aLeadingSkippableFrameDecidesNothingUntilTheFrameAfterIt() {
        var random = new Random(1);
        var codec = new ZstdCodec();
        byte[] lz4 = {0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, (byte) 0xA7};
        byte[] zstd = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0};
        assertThat(codec.probe(head(ZstdCliOracleTest.skippable(random, 4), zstd))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(ZstdCliOracleTest.skippable(random, 4), lz4))).isEqualTo(ProbeResult.NO);
        assertThat(codec.probe(head(ZstdCliOracleTest.skippable(random, 100), zstd))).isEqualTo(ProbeResult.POSSIBLY);
        assertThat(codec.probe(head(zstd))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(lz4))).isEqualTo(ProbeResult.NO);
    }

    private static ByteBuffer head(byte[]... parts) {
        var all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        byte[] b = all.toByteArray();
        return ByteBuffer.wrap(b, 0, Math.min(b.length, Codec.PROBE_LENGTH)).slice().asReadOnlyBuffer();
    }

    private Path compress(byte[] image, List<String> flags) throws Exception {
        Path in = Files.write(dir.resolve("image.bin"), image);
        Path out = dir.resolve("image.zst");
        var command = new ArrayList<>(flags);
        command.addAll(List.of("-q", "-c", in.toString()));
        Cli.run(command, null, out);
        return out;
    }
}
