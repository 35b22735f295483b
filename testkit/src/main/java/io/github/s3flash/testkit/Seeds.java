package io.github.s3flash.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeds for property tests: random per run, or fixed with {@code -Ds3flash.seed=N} to replay a
 * failure. Every message built with {@link #describe} names the seed; and whatever escapes a test
 * that drew seeds here, an exception as well as a failed assertion, is reported with them by {@link
 * SeedReporter}, which JUnit registers by itself wherever this module is on the test path.
 */
public final class Seeds {

    /** Seeds drawn on this thread since {@link SeedReporter} last cleared them (JUnit runs a test on one thread). */
    private static final ThreadLocal<List<Long>> DRAWN = ThreadLocal.withInitial(ArrayList::new);

    private Seeds() {}

    public static long next() {
        String fixed = System.getProperty("s3flash.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
        DRAWN.get().add(seed);
        return seed;
    }

    public static String describe(long seed) {
        return "seed " + seed + " (replay with -Ds3flash.seed=" + seed + ")";
    }

    /** The seeds drawn on this thread since the last call, which forgets them. */
    static List<Long> drained() {
        List<Long> drawn = List.copyOf(DRAWN.get());
        DRAWN.get().clear();
        return drawn;
    }
}
