package io.github.s3flash.codec.lz4;

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
 * Images the lz4 CLI wrote, flashed through the whole pipeline (file source, codec detected by
 * probing, SHA-256, the real sink into a regular file): the target holds the image byte for byte.
 */
class Lz4PipelineTest {

    @TempDir
    Path dir;

    private Flasher flasher() {
        ProviderRegistry installed = ProviderRegistry.load();
        return new Flasher(ProviderRegistry.of(installed.sources(), List.of(new Lz4Codec()), installed.sinks()));
    }

    @Test
    void cliImagesFlashByteExact() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (List<String> flags : List.<List<String>>of(List.of(), List.of("-BD", "-B4"), List.of("--content-size", "-BX"),
                List.of("-l"), List.of("--no-frame-crc", "-B5"))) {
            int size = 4096 * (1 + random.nextInt(2048));
            byte[] image = TestImages.diskLike(random, size);
            Path compressed = compress(image, flags);
            Path target = dir.resolve("target.img");
            Files.deleteIfExists(target);
            // The decoder fills the pipeline's buffers through its channel: chunks of any size meet
            // blocks of every size at every offset.
            long chunk = 4096L * (1 + random.nextInt(400));
            int buffers = 2 + random.nextInt(5);
            FlashResult result = flasher().flash(FlashPlan.of(compressed.toUri(), target)
                    .withOption("create", "true")
                    .withOption("chunk-size", Long.toString(chunk))
                    .withOption("buffers", Integer.toString(buffers))
                    .withExpectedSha256(TestImages.sha256(image)));
            String where = "lz4 " + flags + ", size " + size + ", chunk " + chunk + " x " + buffers + ", "
                    + Seeds.describe(seed);
            assertThat(result.codec()).as(where).isEqualTo("lz4");
            assertThat(Arrays.copyOf(Files.readAllBytes(target), size)).as(where).isEqualTo(image);
        }
    }

    @Test
    void theCodecIsFoundAsAService() throws Exception {
        assertThat(ProviderRegistry.load().codec("lz4")).isInstanceOf(Lz4Codec.class);
    }

    @Test
    void aTruncatedImageFailsTheFlash() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 4 << 20);
        Path compressed = compress(image, List.of("-B4"));
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
        var codec = new Lz4Codec();
        byte[] lz4 = {0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, (byte) 0xA7};
        byte[] zstd = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0};
        assertThat(codec.probe(head(Lz4CliOracleTest.skippable(random, 4), lz4))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(Lz4CliOracleTest.skippable(random, 4), zstd))).isEqualTo(ProbeResult.NO);
        assertThat(codec.probe(head(Lz4CliOracleTest.skippable(random, 100), lz4))).isEqualTo(ProbeResult.POSSIBLY);
        assertThat(codec.probe(head(new byte[] {0x02, 0x21, 0x4C, 0x18}))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(zstd))).isEqualTo(ProbeResult.NO);
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
        Path out = dir.resolve("image.lz4");
        var command = new ArrayList<>(List.of("lz4", "-q", "-c"));
        command.addAll(flags);
        command.add(in.toString());
        Cli.run(command, null, out);
        return out;
    }
}
