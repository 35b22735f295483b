package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.CompressedSample;
import io.github.s3flash.testkit.CorruptStreams;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated, bit-flipped and fuzzed streams from the real CLI: decoding ends in {@link
 * CorruptImageException} with an offset inside the stream, or (only where no checksum guards the
 * data) in some output; never in an unchecked exception, a hang or, where checksums are on, wrong
 * output. A hang fails the test by its timeout.
 */
@Timeout(120)
class ZstdCorruptInputTest {

    private static final Codec CODEC = new ZstdCodec();

    private static final List<CompressedSample> SAMPLES = new ArrayList<>();
    private static long seed;

    @BeforeAll
    static void compressSamples(@TempDir Path dir) throws Exception {
        seed = Seeds.next();
        var random = new Random(seed);
        record Variant(List<String> flags, boolean checksummed) {}
        for (Variant v : List.of(
                new Variant(List.of("zstd", "-3"), true),
                new Variant(List.of("zstd", "-19", "--long=27"), true),
                new Variant(List.of("zstd", "-T0", "-1"), true),
                new Variant(List.of("zstd", "--no-check", "-3"), false),
                new Variant(List.of("zstd", "--no-check", "--fast=3"), false))) {
            byte[] image = TestImages.diskLike(random, 150_000 + random.nextInt(100_000));
            Path in = Files.write(dir.resolve("image.bin"), image);
            Path out = dir.resolve("image.zst");
            var command = new ArrayList<>(v.flags());
            command.addAll(List.of("-q", "-c", in.toString()));
            Cli.run(command, null, out);
            SAMPLES.add(new CompressedSample(v.flags().toString(), image, Files.readAllBytes(out), v.checksummed()));
        }
    }

    @Test
    void truncationAtAnyOffsetIsACorruptImage() throws IOException {
        var random = new Random(seed);
        for (CompressedSample s : SAMPLES) {
            for (int i = 0; i < 400; i++) {
                int cut = i < Math.min(40, s.compressed().length) ? i : random.nextInt(s.compressed().length);
                byte[] truncated = Arrays.copyOf(s.compressed(), cut);
                try {
                    decode(truncated);
                    fail("truncated at %d of %d decoded without error, %s, %s", cut, s.compressed().length, s.name(),
                            Seeds.describe(seed));
                } catch (CorruptImageException e) {
                    assertThat(e.offset()).as(s.name() + " cut at " + cut).isBetween(0L, (long) cut);
                }
            }
        }
    }

    @Test
    void flippedBitsAreCaughtByChecksumsOrAtLeastNeverEscapeUnchecked() {
        CorruptStreams.flippedBitsAreCaughtOrHarmless(CODEC, SAMPLES, seed + 1);
    }

    @Test
    void fuzzedStreamsEndInCorruptImageOrOutputNeverInAnUncheckedException() {
        assertThat(CorruptStreams.fuzz(CODEC, SAMPLES, seed + 2, Duration.ofSeconds(8), 1000))
                .isGreaterThanOrEqualTo(1000);
    }

    private static byte[] decode(byte[] compressed) throws IOException {
        return CorruptStreams.decode(CODEC, compressed);
    }
}
