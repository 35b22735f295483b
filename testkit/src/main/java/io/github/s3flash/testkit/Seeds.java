package io.github.s3flash.testkit;

import java.util.Random;

/**
 * Seeds for property tests: random per run, or fixed with {@code -Ds3flash.seed=N} to replay a
 * failure. Every message built with {@link #describe} names the seed, so a failure can be replayed.
 */
public final class Seeds {

    private Seeds() {}

    public static long next() {
        String fixed = System.getProperty("s3flash.seed");
        return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    }

    public static String describe(long seed) {
        return "seed " + seed + " (replay with -Ds3flash.seed=" + seed + ")";
    }
}
