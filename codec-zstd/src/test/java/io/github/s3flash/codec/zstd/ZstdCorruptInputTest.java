package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private record Sample(String name, byte[] image, byte[] compressed, boolean checksummed) {}

    private static final List<Sample> SAMPLES = new ArrayList<>();
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
            SAMPLES.add(new Sample(v.flags().toString(), image, Files.readAllBytes(out), v.checksummed()));
        }
    }

    @Test
    void truncationAtAnyOffsetIsACorruptImage() throws IOException {
        var random = new Random(seed);
        for (Sample s : SAMPLES) {
            for (int i = 0; i < 400; i++) {
                int cut = i < Math.min(40, s.compressed.length) ? i : random.nextInt(s.compressed.length);
                byte[] truncated = Arrays.copyOf(s.compressed, cut);
                try {
                    decode(truncated);
                    fail("truncated at %d of %d decoded without error, %s, %s", cut, s.compressed.length, s.name,
                            Seeds.describe(seed));
                } catch (CorruptImageException e) {
                    assertThat(e.offset()).as(s.name + " cut at " + cut).isBetween(0L, (long) cut);
                }
            }
        }
    }

    @Test
    void flippedBitsAreCaughtByChecksumsOrAtLeastNeverEscapeUnchecked() {
        var random = new Random(seed + 1);
        for (Sample s : SAMPLES) {
            int caught = 0;
            for (int i = 0; i < 600; i++) {
                byte[] bad = s.compressed.clone();
                int at = i < 64 ? i * bad.length / 64 : random.nextInt(bad.length);
                bad[at] ^= (byte) (1 << random.nextInt(8));
                byte[] out = decodeOrCorrupt(bad, s.name + " bit flip at " + at);
                if (out == null) {
                    caught++;
                } else if (s.checksummed) {
                    assertThat(out).as("%s: flip at %d decoded without error, so it must be harmless, %s", s.name,
                            at, Seeds.describe(seed)).isEqualTo(s.image);
                }
            }
            if (s.checksummed) {
                assertThat(caught).as(s.name + ": most flips are caught").isGreaterThan(300);
            }
        }
    }

    @Test
    void fuzzedStreamsEndInCorruptImageOrOutputNeverInAnUncheckedException() {
        long fuzzSeed = seed + 2;
        var random = new Random(fuzzSeed);
        long deadline = System.nanoTime() + 8_000_000_000L;
        int iterations = 0;
        while (System.nanoTime() < deadline || iterations < 1000) {
            Sample s = SAMPLES.get(random.nextInt(SAMPLES.size()));
            byte[] bad = mutate(random, s.compressed);
            decodeOrCorrupt(bad, s.name + " fuzz iteration " + iterations + ", " + Seeds.describe(fuzzSeed));
            iterations++;
        }
        assertThat(iterations).isGreaterThanOrEqualTo(1000);
    }

    /** Flips, overwrites, inserts, deletes, duplicates and truncates, a few at a time. */
    static byte[] mutate(Random random, byte[] valid) {
        byte[] b = valid.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> {
                    byte[] ins = new byte[1 + random.nextInt(16)];
                    random.nextBytes(ins);
                    byte[] c = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(ins, 0, c, at, ins.length);
                    System.arraycopy(b, at, c, at + ins.length, b.length - at);
                    b = c;
                }
                case 3 -> {
                    int n = Math.min(b.length - at, 1 + random.nextInt(64));
                    byte[] c = new byte[b.length - n];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + n, c, at, b.length - at - n);
                    b = c;
                }
                case 4 -> {
                    int n = Math.min(b.length - at, 1 + random.nextInt(4096));
                    int to = random.nextInt(b.length - n + 1);
                    System.arraycopy(b.clone(), at, b, to, n);
                }
                default -> b = Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    /** The decoded bytes, or null for a {@link CorruptImageException}; anything else fails the test. */
    private static byte[] decodeOrCorrupt(byte[] compressed, String what) {
        try {
            return decode(compressed);
        } catch (CorruptImageException e) {
            if (e.offset() < 0 || e.offset() > compressed.length) {
                fail(what + ": offset " + e.offset() + " is outside the stream of " + compressed.length + " bytes");
            }
            return null;
        } catch (Throwable t) {
            throw new AssertionError(what + ": not a CorruptImageException: " + t, t);
        }
    }

    private static byte[] decode(byte[] compressed) throws IOException {
        try (InputStream in = CODEC.decode(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }
}
