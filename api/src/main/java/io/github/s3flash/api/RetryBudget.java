package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;

/**
 * The retry budget of one operation under a {@link RetryPolicy}: failed attempts and the time since
 * the operation last completed a unit of work ({@link #restart}). Bytes trickling in do not restore
 * it; only what the caller calls a unit does (a whole part, a whole range), so a source that fails
 * after every few bytes still runs out of attempts.
 *
 * <p>Used by one thread at a time.
 */
public final class RetryBudget {

    /** Time as the budget sees it; tests use one they control. */
    public interface Clock {
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration duration) throws InterruptedException {
                Thread.sleep(duration);
            }
        };

        long nanoTime();

        void sleep(Duration duration) throws InterruptedException;
    }

    private final RetryPolicy policy;
    private final Clock clock;
    private int attempts;
    private long since;

    public RetryBudget(RetryPolicy policy, Clock clock) {
        this.policy = requireNonNull(policy, "policy");
        this.clock = requireNonNull(clock, "clock");
        this.since = clock.nanoTime();
    }

    /** Failed attempts since the budget was made or last restarted. */
    public int attempts() {
        return attempts;
    }

    /** The operation completed a unit of work: attempts and the give-up clock start again. */
    public void restart() {
        attempts = 0;
        since = clock.nanoTime();
    }

    /**
     * Counts a failed attempt and returns the pause before the next one.
     *
     * @param doing what failed, for the give-up message ("reading s3://b/k at byte offset 42")
     * @throws IOException {@code failure} itself when it is not retryable (or the thread was
     *     interrupted); a {@link SourceUnavailableException} ({@link SourceThrottledException} if the
     *     source was throttling) naming {@code doing}, the attempts and the cause when the attempts or
     *     the time are spent
     */
    public Duration failed(IOException failure, String doing) throws IOException {
        requireNonNull(failure, "failure");
        if (Thread.currentThread().isInterrupted()) {
            throw failure instanceof InterruptedIOException ? failure
                    : new InterruptedIOException("interrupted while " + doing);
        }
        if (!RetryPolicy.isRetryable(failure)) {
            throw failure;
        }
        attempts++;
        Duration failing = Duration.ofNanos(clock.nanoTime() - since);
        if (attempts >= policy.maxAttempts() || failing.compareTo(policy.giveUpAfter()) > 0) {
            String spent = attempts >= policy.maxAttempts() ? "" : " over " + failing.toSeconds()
                    + " s without completing (option retry.give-up-after=" + policy.giveUpAfter().toSeconds() + "s)";
            String message = "gave up " + doing + " after " + attempts + (attempts == 1 ? " attempt" : " attempts")
                    + spent + ": " + failure.getMessage() + "; check the network and the source, then try again";
            throw failure instanceof SourceThrottledException ? new SourceThrottledException(message, failure)
                    : new SourceUnavailableException(message, failure);
        }
        return policy.delay(attempts);
    }

    /** Sleeps {@code delay}; an interrupt ends the operation. */
    public void pause(Duration delay, String doing) throws InterruptedIOException {
        try {
            clock.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry " + doing);
        }
    }
}
