package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;
import java.util.stream.IntStream;

/**
 * Checks every decoder must pass on damaged input: truncated streams end in {@link
 * CorruptImageException} with an offset inside what was left; flipped bits and fuzzed streams end in
 * it too, or in some output — which, where checksums guard the data, must be the original — and
 * never in an unchecked exception.
 */
public final class CorruptStreams {

    /** For formats in which no cut leaves a shorter valid stream. */
    public static final BiPredicate<CompressedSample, Integer> NO_SHORTER_VALID_STREAM = (sample, cut) -> false;

    private CorruptStreams() {}

    /**
     * Cuts each sample one byte short, at each of its first 40 offsets and at {@code randomCuts}
     * random ones: each cut must decode to a {@link CorruptImageException} whose offset lies within
     * the bytes left, except the cuts {@code shorterValidStream} names (where the format has no end
     * mark, a cut between blocks is a shorter valid stream that only the image's hash can catch).
     */
    public static void truncationIsCorrupt(Codec codec, List<CompressedSample> samples, long seed, int randomCuts,
            BiPredicate<CompressedSample, Integer> shorterValidStream) {
        var random = new Random(seed);
        for (CompressedSample s : samples) {
            int length = s.compressed().length;
            List<Integer> cuts = new ArrayList<>(List.of(length - 1));
            IntStream.range(0, Math.min(40, length)).forEach(cuts::add);
            random.ints(randomCuts, 0, length).forEach(cuts::add);
            for (int cut : cuts) {
                if (cut < 0 || shorterValidStream.test(s, cut)) {
                    continue;
                }
                String what = s.name() + " cut at " + cut + " of " + length + ", " + Seeds.describe(seed);
                try {
                    decode(codec, Arrays.copyOf(s.compressed(), cut));
                    fail(what + ": decoded without error");
                } catch (CorruptImageException e) {
                    assertThat(e.offset()).as(what).isBetween(0L, (long) cut);
                } catch (IOException | RuntimeException e) {
                    throw new AssertionError(what + ": not a CorruptImageException: " + e, e);
                }
            }
        }
    }

    /** The first bytes of {@code parts} joined, as the registry hands them to {@link Codec#probe}. */
    public static ByteBuffer head(byte[]... parts) {
        var all = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        byte[] b = all.toByteArray();
        return ByteBuffer.wrap(b, 0, Math.min(b.length, Codec.PROBE_LENGTH)).slice().asReadOnlyBuffer();
    }

    /** Flips single bits (64 spread over the stream, the rest at random) in each sample. */
    public static void flippedBitsAreCaughtOrHarmless(Codec codec, List<CompressedSample> samples, long seed) {
        var random = new Random(seed);
        for (CompressedSample s : samples) {
            int caught = 0;
            for (int i = 0; i < 600; i++) {
                byte[] bad = s.compressed().clone();
                int at = i < 64 ? i * bad.length / 64 : random.nextInt(bad.length);
                bad[at] ^= (byte) (1 << random.nextInt(8));
                byte[] out = decodeOrCorrupt(codec, bad, s.name() + " bit flip at " + at + ", " + Seeds.describe(seed));
                if (out == null) {
                    caught++;
                } else if (s.checksummed()) {
                    assertThat(out).as("%s: flip at %d decoded without error, so it must be harmless, %s", s.name(),
                            at, Seeds.describe(seed)).isEqualTo(s.image());
                }
            }
            if (s.checksummed()) {
                assertThat(caught).as(s.name() + ": most flips are caught").isGreaterThan(300);
            }
        }
    }

    /** Mutates the samples at random for {@code time} and at least {@code minimum} iterations. */
    public static int fuzz(Codec codec, List<CompressedSample> samples, long seed, Duration time, int minimum) {
        var random = new Random(seed);
        long deadline = System.nanoTime() + time.toNanos();
        int iterations = 0;
        while (System.nanoTime() < deadline || iterations < minimum) {
            CompressedSample s = samples.get(random.nextInt(samples.size()));
            decodeOrCorrupt(codec, mutate(random, s.compressed()),
                    s.name() + " fuzz iteration " + iterations + ", " + Seeds.describe(seed));
            iterations++;
        }
        return iterations;
    }

    /** Flips, overwrites, inserts, deletes, duplicates and truncates, a few at a time. */
    public static byte[] mutate(Random random, byte[] valid) {
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
    public static byte[] decodeOrCorrupt(Codec codec, byte[] compressed, String what) {
        try {
            return decode(codec, compressed);
        } catch (CorruptImageException e) {
            if (e.offset() < 0 || e.offset() > compressed.length) {
                fail(what + ": offset " + e.offset() + " is outside the stream of " + compressed.length + " bytes");
            }
            return null;
        } catch (Throwable t) {
            throw new AssertionError(what + ": not a CorruptImageException: " + t, t);
        }
    }

    public static byte[] decode(Codec codec, byte[] compressed) throws IOException {
        try (InputStream in = codec.decode(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }
}
