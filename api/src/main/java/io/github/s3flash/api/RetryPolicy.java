package io.github.s3flash.api;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with full jitter, bounded by a number of attempts without progress.
 *
 * @param maxAttempts attempts allowed for one operation before giving up (progress resets the count)
 * @param baseDelay the delay cap for the first retry
 * @param maxDelay the largest delay cap
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(20));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
    }

    /** Reads {@code retry.attempts}, {@code retry.base-delay} and {@code retry.max-delay}. */
    public static RetryPolicy from(Options options) {
        return new RetryPolicy(
                options.getInt("retry.attempts", DEFAULT.maxAttempts),
                options.getDuration("retry.base-delay", DEFAULT.baseDelay),
                options.getDuration("retry.max-delay", DEFAULT.maxDelay));
    }

    /** The pause before retry number {@code attempt} (1-based): uniform in [0, min(max, base·2^(n-1))]. */
    public Duration delay(int attempt) {
        long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1));
    }

    /** Whether a failure may be retried: a transient {@link FlashException}, or any other I/O fault. */
    public static boolean isRetryable(Throwable t) {
        return t instanceof FlashException fe ? fe.retryable() : t instanceof java.io.IOException;
    }
}
