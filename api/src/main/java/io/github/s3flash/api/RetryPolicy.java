package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How an operation that the world may fail (a ranged read, a HEAD, a whole flash) is retried:
 * exponential back-off with full jitter, and a budget of attempts and of time that only completing a
 * unit of work restores (see {@link RetryBudget}), so a source that trickles a byte between failures
 * still runs out of it.
 *
 * @param maxAttempts failed attempts allowed before giving up ({@value #UNLIMITED}: no limit)
 * @param baseDelay the delay cap of the first retry
 * @param maxDelay the largest delay cap
 * @param giveUpAfter the longest an operation may go on failing without completing; checked when an
 *     attempt fails, so a slow operation that does not fail is never cut off
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration giveUpAfter) {

    /** No limit on attempts. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** Per range: 8 attempts, 200 ms to 20 s apart, for at most 10 minutes without completing it. */
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(20), Duration.ofMinutes(10));

    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);
    private static final Duration MAX_OPTION_DELAY = Duration.ofHours(1);

    /** What is retried: one attempt of an operation. */
    @FunctionalInterface
    public interface Attempt<T> {
        T run() throws IOException;
    }

    /** Told of every retry before its pause: the attempt that failed (1-based), the pause and why. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (attempt, delay, failure) -> {};

        void retrying(int attempt, Duration delay, IOException failure);
    }

    public RetryPolicy {
        requireNonNull(baseDelay, "baseDelay");
        requireNonNull(maxDelay, "maxDelay");
        requireNonNull(giveUpAfter, "giveUpAfter");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative()) {
            throw new IllegalArgumentException("delays must not be negative: " + baseDelay + ", " + maxDelay);
        }
        if (!giveUpAfter.isPositive()) {
            throw new IllegalArgumentException("giveUpAfter must be positive: " + giveUpAfter);
        }
    }

    /**
     * Retries for as long as it takes, pausing up to {@code maxDelay} between attempts: for a
     * service that has nothing better to do than to try again (boot mode after the point of no
     * return).
     */
    public static RetryPolicy unlimited(Duration baseDelay, Duration maxDelay) {
        return new RetryPolicy(UNLIMITED, baseDelay, maxDelay, FOREVER);
    }

    /**
     * Reads {@code retry.attempts} (1 to 10000), {@code retry.base-delay} and {@code
     * retry.max-delay} (up to 1 h) and {@code retry.give-up-after} (1 s to 7 days).
     */
    public static RetryPolicy from(Options options) throws InvalidOptionException {
        return new RetryPolicy(
                options.getInt("retry.attempts", DEFAULT.maxAttempts, 1, 10_000),
                options.getDuration("retry.base-delay", DEFAULT.baseDelay, Duration.ZERO, MAX_OPTION_DELAY),
                options.getDuration("retry.max-delay", DEFAULT.maxDelay, Duration.ZERO, MAX_OPTION_DELAY),
                options.getDuration("retry.give-up-after", DEFAULT.giveUpAfter, Duration.ofSeconds(1),
                        Duration.ofDays(7)));
    }

    /**
     * The pause before retry number {@code attempt} (1-based), with full jitter: uniform in {@code
     * [0, min(maxDelay, baseDelay · 2^(attempt-1))]}, so that many readers failing at once do not
     * come back at once.
     */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1: " + attempt);
        }
        long base = baseDelay.toMillis();
        long cap = Math.min(maxDelay.toMillis(), base > (Long.MAX_VALUE >> 20) ? Long.MAX_VALUE
                : base << Math.min(attempt - 1, 20));
        return Duration.ofMillis(cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1));
    }

    /** A fresh budget for one operation, on the system clock. */
    public RetryBudget budget() {
        return new RetryBudget(this, RetryBudget.Clock.SYSTEM);
    }

    /**
     * Runs {@code attempt} until it succeeds, pausing between failures; a failure that is not
     * retryable ends it at once, and so does a spent budget (see {@link RetryBudget#failed}).
     *
     * @param doing what the attempt does, for the give-up message ("opening s3://b/k")
     */
    public <T> T call(String doing, Attempt<T> attempt, Listener listener) throws IOException {
        requireNonNull(doing, "doing");
        requireNonNull(attempt, "attempt");
        requireNonNull(listener, "listener");
        RetryBudget budget = budget();
        while (true) {
            try {
                return attempt.run();
            } catch (IOException e) {
                Duration delay = budget.failed(e, doing);
                listener.retrying(budget.attempts(), delay, e);
                budget.pause(delay, doing);
            }
        }
    }

    /**
     * Whether a failure may be retried: a {@link FlashException} that says so, or any other I/O
     * fault (a reset, a timeout) except an interrupt, which means stop.
     */
    public static boolean isRetryable(Throwable t) {
        if (t instanceof FlashException fe) {
            return fe.retryable();
        }
        if (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException)) {
            return false;
        }
        return t instanceof IOException;
    }
}
