package io.github.s3flash.bootloader.boot;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long boot mode waits between whole flash attempts: doubling from {@code first} up to {@code
 * cap}, each wait drawn between half its bound and the bound (so that a fleet rebooted at once does
 * not retry in step). After the point of no return the service retries until a flash succeeds, an
 * operator may be replacing the object meanwhile, and each attempt downloads the image again: the cap
 * keeps that to one download every few minutes. (The api's retry policy bounds attempts; these never
 * end, which is why they are counted here.)
 *
 * @param first the bound of the first wait
 * @param cap the largest bound
 */
record BackOff(Duration first, Duration cap) {

    static final BackOff BOOT = new BackOff(Duration.ofSeconds(1), Duration.ofMinutes(5));

    BackOff {
        if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
            throw new IllegalArgumentException("need 0 < first <= cap: " + first + ", " + cap);
        }
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
    Duration delay(int attempt, RandomGenerator random) {
        long bound = Math.min(cap.toMillis(), first.toMillis() << Math.min(Math.max(attempt, 1) - 1, 30));
        return Duration.ofMillis(bound / 2 + random.nextLong(bound / 2 + 1));
    }
}
