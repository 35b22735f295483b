package io.github.s3flash.codec.lz4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.testkit.CompressedSample;
import io.github.s3flash.testkit.CorruptStreams;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
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
class Lz4CorruptInputTest {

    private static final Codec CODEC = new Lz4Codec();

    private static final List<CompressedSample> SAMPLES = new ArrayList<>();
    private static long seed;

    @BeforeAll
    static void compressSamples(@TempDir Path dir) throws Exception {
        seed = Seeds.next();
        var random = new Random(seed);
        record Variant(List<String> flags, boolean checksummed) {}
        for (Variant v : List.of(
                new Variant(List.of("-B4"), true),
                new Variant(List.of("-B4", "-BD", "-BX"), true),
                new Variant(List.of("-B5", "--content-size", "-9"), true),
                new Variant(List.of("-B4", "--no-frame-crc"), false),
                new Variant(List.of("-B4", "-BD", "--no-frame-crc"), false),
                new Variant(List.of("-l"), false))) {
            var command = new ArrayList<>(List.of("lz4", "-q", "-c"));
            command.addAll(v.flags());
            byte[] image = TestImages.diskLike(random, 150_000 + random.nextInt(100_000));
            SAMPLES.add(CompressedSample.cli(command, image, v.checksummed(), dir));
        }
    }

    private static boolean legacy(CompressedSample sample) {
        return sample.name().endsWith(" -l");
    }

    @Test
    void truncationAtAnyOffsetIsACorruptImage() {
        // The legacy format has no end mark: a cut between blocks (8 MiB apart; here only right after
        // the magic number) is a shorter valid stream, caught only by the pipeline's SHA-256.
        CorruptStreams.truncationIsCorrupt(CODEC, SAMPLES, seed, 360, (sample, cut) -> legacy(sample) && cut == 4);
    }

    @Test
    void truncationExactlyAtBlockBoundariesIsACorruptImage() throws IOException {
        for (CompressedSample s : SAMPLES) {
            if (legacy(s)) {
                continue;
            }
            List<Integer> boundaries = blockBoundaries(s.compressed());
            assertThat(boundaries).as(s.name()).hasSizeGreaterThan(3);
            for (int boundary : boundaries) {
                for (int cut = boundary - 1; cut <= boundary + 1; cut++) {
                    if (cut < 0 || cut >= s.compressed().length) {
                        continue;
                    }
                    int at = cut;
                    try {
                        decode(Arrays.copyOf(s.compressed(), cut));
                        fail("cut at %d (block boundary %d) of %d decoded without error, %s", at, boundary,
                                s.compressed().length, s.name());
                    } catch (CorruptImageException e) {
                        assertThat(e.offset()).as(s.name() + " cut at " + cut).isBetween(0L, (long) cut);
                    }
                }
            }
        }
    }

    /** Offsets where a block (or the end mark, or the content checksum) starts in a one-frame stream. */
    private static List<Integer> blockBoundaries(byte[] c) {
        int flg = c[4] & 0xFF;
        int pos = 4 + 2 + ((flg & Lz4Format.FLG_CONTENT_SIZE) != 0 ? 8 : 0) + 1;
        List<Integer> boundaries = new ArrayList<>(List.of(4, pos));
        while (true) {
            int word = Lz4Format.intLE(c, pos);
            pos += 4;
            if (word == 0) {
                break;
            }
            pos += (word & ~Lz4Format.UNCOMPRESSED_BIT) + ((flg & Lz4Format.FLG_BLOCK_CHECKSUM) != 0 ? 4 : 0);
            boundaries.add(pos);
        }
        boundaries.add(pos);
        return boundaries;
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
