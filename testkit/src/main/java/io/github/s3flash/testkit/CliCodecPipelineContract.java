package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ProviderRegistry;
import java.io.ByteArrayOutputStream;
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
 * What a codec with a stock CLI must do in the whole pipeline: images the CLI wrote (with each of
 * {@link #cliCommands()}) flash through a file source, the codec found by probing, SHA-256 and the
 * real sink into a regular file, with seeded random chunk sizes and buffer counts, byte for byte; a
 * truncated image fails the flash as corrupt; the codec is found as a service.
 */
public abstract class CliCodecPipelineContract {

    @TempDir
    protected Path dir;

    /** The codec under test (also installed as a service on the module path). */
    protected abstract Codec codec();

    /**
     * Compressing commands that read a file named last and write to stdout, without the file (for
     * example {@code lz4 -q -c -BD}); the first is the default one, used for the truncation check.
     */
    protected abstract List<List<String>> cliCommands();

    private Flasher flasher() {
        ProviderRegistry installed = ProviderRegistry.load();
        return new Flasher(ProviderRegistry.of(installed.sources(), List.of(codec()), installed.sinks()));
    }

    @Test
    void cliImagesFlashByteExact() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (List<String> command : cliCommands()) {
            int size = 4096 * (1 + random.nextInt(2048));
            byte[] image = TestImages.diskLike(random, size);
            Path compressed = compress(image, command);
            Path target = dir.resolve("target.img");
            Files.deleteIfExists(target);
            // Chunks of any size meet the format's blocks of every size at every offset.
            long chunk = 4096L * (1 + random.nextInt(400));
            int buffers = 2 + random.nextInt(5);
            FlashResult result = flasher().flash(FlashPlan.of(compressed.toUri(), target)
                    .withOption("create", "true")
                    .withOption("chunk-size", Long.toString(chunk))
                    .withOption("buffers", Integer.toString(buffers))
                    .withExpectedSha256(TestImages.sha256(image)));
            String where = command + ", size " + size + ", chunk " + chunk + " x " + buffers + ", "
                    + Seeds.describe(seed);
            assertThat(result.codec()).as(where).isEqualTo(codec().name());
            assertThat(Arrays.copyOf(Files.readAllBytes(target), size)).as(where).isEqualTo(image);
        }
    }

    @Test
    void theCodecIsFoundAsAService() throws Exception {
        assertThat(ProviderRegistry.load().codec(codec().name())).isInstanceOf(codec().getClass());
    }

    @Test
    void aTruncatedImageFailsTheFlash() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 4 << 20);
        Path compressed = compress(image, cliCommands().getFirst());
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

    /** The first bytes of {@code parts} joined, as the registry hands them to {@link Codec#probe}. */
    protected static ByteBuffer head(byte[]... parts) {
        var all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        byte[] b = all.toByteArray();
        return ByteBuffer.wrap(b, 0, Math.min(b.length, Codec.PROBE_LENGTH)).slice().asReadOnlyBuffer();
    }

    private Path compress(byte[] image, List<String> command) throws Exception {
        Path in = Files.write(dir.resolve("image.bin"), image);
        Path out = dir.resolve("image.compressed");
        var full = new ArrayList<>(command);
        full.add(in.toString());
        Cli.run(full, null, out);
        return out;
    }
}
