package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Codec;
import io.github.s3flash.testkit.CompressedSample;
import io.github.s3flash.testkit.CorruptStreams;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncated, bit-flipped and fuzzed streams from the real CLI: decoding ends in a corrupt-image
 * error with an offset inside the stream, or (only where no checksum guards the data) in some
 * output; never in an unchecked exception, a hang or, where checksums are on, wrong output. A hang
 * fails the test by its timeout.
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
            var command = new ArrayList<>(v.flags());
            command.addAll(List.of("-q", "-c"));
            byte[] image = TestImages.diskLike(random, 150_000 + random.nextInt(100_000));
            SAMPLES.add(CompressedSample.cli(command, image, v.checksummed(), dir));
        }
    }

    @Test
    void truncationAtAnyOffsetIsACorruptImage() {
        CorruptStreams.truncationIsCorrupt(CODEC, SAMPLES, seed, 360, CorruptStreams.NO_SHORTER_VALID_STREAM);
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
}
