package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.api.ProviderRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a codec with a stock CLI must do, the CLI being the oracle: what the codec writes (with each
 * of {@link #encodeOptionSets()}) the CLI decodes byte for byte; images the CLI wrote (with each of
 * {@link #cliCommands()}) flash through the whole pipeline — a file source, the codec found by
 * probing, SHA-256 and the real sink into a regular file, with seeded random chunk sizes and buffer
 * counts — byte for byte; a truncated image fails the flash as corrupt; the codec is found as a
 * service. The helpers (running the CLI, frames the formats share, sizes around block boundaries)
 * serve the codec's own CLI tests.
 */
public abstract class CliCodecContract {

    /** Magic number of the first skippable frame; lz4 and zstd share the format and the 16 values from it. */
    private static final int SKIPPABLE_MAGIC = 0x184D2A50;

    @TempDir
    protected Path dir;

    /** The codec under test (also installed as a service on the module path). */
    protected abstract Codec codec();

    /**
     * Compressing commands that read a file named last and write to stdout, without the file (for
     * example {@code lz4 -q -c -BD}); the first is the default one, used for the truncation check.
     */
    protected abstract List<List<String>> cliCommands();

    /** The CLI's decompressing command, reading a file named last and writing to stdout, without the file. */
    protected abstract List<String> cliDecompressCommand();

    /** Encoder options to write with; each output must decode with {@link #cliDecompressCommand()}. */
    protected abstract List<Options> encodeOptionSets();

    /** The format's block size for these encoder options, around which sizes are chosen. */
    protected abstract int blockSize(Options encodeOptions) throws IOException;

    private Flasher flasher() {
        ProviderRegistry installed = ProviderRegistry.load();
        return new Flasher(ProviderRegistry.of(installed.sources(), List.of(codec()), installed.sinks()));
    }

    @Test
    void theCliDecodesWhatTheCodecWrites() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (Options options : encodeOptionSets()) {
            for (int size : sizes(random, blockSize(options))) {
                byte[] image = size % 3 == 2 ? TestImages.random(random, size) : TestImages.diskLike(random, size);
                Path in = Files.write(dir.resolve("ours.compressed"), encode(image, options));
                Path out = dir.resolve("ours.out");
                var command = new ArrayList<>(cliDecompressCommand());
                command.add(in.toString());
                Cli.run(command, null, out);
                assertThat(Files.readAllBytes(out)).as("%s of ours, options %s, size %d, %s", command, options.values(),
                        size, Seeds.describe(seed)).isEqualTo(image);
            }
        }
    }

    @Test
    void cliImagesFlashByteExact() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (List<String> command : cliCommands()) {
            int size = 4096 * (1 + random.nextInt(2048)) + (random.nextBoolean() ? 0 : random.nextInt(4096));
            byte[] image = TestImages.diskLike(random, size);
            Path compressed = Files.write(dir.resolve("image.compressed"), cliCompress(image, command));
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
            assertThat(Files.readAllBytes(target)).as(where).isEqualTo(image);
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
        byte[] bytes = cliCompress(image, cliCommands().getFirst());
        Path compressed = Files.write(dir.resolve("image.compressed"), Arrays.copyOf(bytes, bytes.length * 2 / 3));
        Path target = dir.resolve("target.img");
        assertThatThrownBy(() -> flasher().flash(FlashPlan.of(compressed.toUri(), target).withOption("create", "true")))
                .as(Seeds.describe(seed))
                // Refused before the first write, or aborted after it: either way for the corrupt image.
                .satisfiesAnyOf(
                        e -> assertThat(e).isInstanceOf(CorruptImageException.class),
                        e -> assertThat(e).isInstanceOf(FlashAbortedException.class)
                                .hasRootCauseInstanceOf(CorruptImageException.class));
    }

    /**
     * For formats with skippable frames (lz4 and zstd share them): a leading skippable frame decides
     * nothing, the frame after it does — certain of {@code ownFrame}, not of {@code otherFrame}, and
     * only possibly when that frame lies beyond the probe's head.
     */
    protected void assertProbeLooksPastSkippableFrames(byte[] ownFrame, byte[] otherFrame) {
        var random = new Random(1);
        assertThat(codec().probe(head(skippable(random, 4), ownFrame))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec().probe(head(skippable(random, 4), otherFrame))).isEqualTo(ProbeResult.NO);
        assertThat(codec().probe(head(skippable(random, 100), ownFrame))).isEqualTo(ProbeResult.POSSIBLY);
        assertThat(codec().probe(head(ownFrame))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec().probe(head(otherFrame))).isEqualTo(ProbeResult.NO);
    }

    /** {@code image} compressed by {@code command} (which reads the file named last, writes stdout). */
    protected byte[] cliCompress(byte[] image, List<String> command) throws IOException, InterruptedException {
        return CompressedSample.cli(command, image, false, dir).compressed();
    }

    protected byte[] encode(byte[] image, Options options) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream enc = codec().encode(out, options)) {
            enc.write(image);
        }
        return out.toByteArray();
    }

    protected byte[] decode(InputStream compressed) throws IOException {
        try (InputStream in = codec().decode(compressed)) {
            return in.readAllBytes();
        }
    }

    /** The first bytes of {@code parts} joined, as the registry hands them to {@link Codec#probe}. */
    protected static ByteBuffer head(byte[]... parts) {
        return CorruptStreams.head(parts);
    }

    /** A skippable frame (one of the 16 magic numbers, at random) of {@code size} random bytes. */
    protected static byte[] skippable(Random random, int size) {
        byte[] frame = new byte[8 + size];
        random.nextBytes(frame);
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putInt(SKIPPABLE_MAGIC + random.nextInt(16)).putInt(size);
        return frame;
    }

    /** 0, 1, just off one and two blocks, and a few random sizes (one up to 3 MiB). */
    protected static List<Integer> sizes(Random random, int block) {
        Set<Integer> sizes = new LinkedHashSet<>(List.of(0, 1, block - 1, block, block + 1, 2 * block + 1));
        sizes.add(1 + random.nextInt(300_000));
        sizes.add(1 + random.nextInt(3 << 20));
        return new ArrayList<>(sizes);
    }
}
