package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    /** A clock that moves only when the budget sleeps, or when a test moves it. */
    private static final class TestClock implements RetryBudget.Clock {
        final AtomicLong now = new AtomicLong();
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            now.addAndGet(duration.toNanos());
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    @Test
    void retryDelaysAreFullJitterWithinAnExponentialCap() {
        var policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(350), Duration.ofMinutes(1));
        for (int attempt = 1; attempt < 40; attempt++) {
            long cap = Math.min(350, 100L << Math.min(attempt - 1, 20));
            for (int i = 0; i < 20; i++) {
                assertThat(policy.delay(attempt).toMillis()).isBetween(0L, cap);
            }
        }
        var zero = new RetryPolicy(5, Duration.ZERO, Duration.ofSeconds(1), Duration.ofMinutes(1));
        assertThat(zero.delay(3)).isEqualTo(Duration.ZERO);
        var huge = RetryPolicy.unlimited(Duration.ofDays(3650), Duration.ofMinutes(3));
        assertThat(huge.delay(60)).isLessThanOrEqualTo(Duration.ofMinutes(3));
        assertThatThrownBy(() -> zero.delay(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBudgetCountsAttemptsUntilTheWorkCompletesAUnit() throws IOException {
        var clock = new TestClock();
        var budget = new RetryBudget(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofHours(1)), clock);
        budget.failed(new IOException("reset"), "reading x");
        budget.failed(new IOException("reset"), "reading x");
        budget.restart();
        assertThat(budget.attempts()).isZero();
        budget.failed(new IOException("reset"), "reading x");
        budget.failed(new IOException("reset"), "reading x");
        assertThatThrownBy(() -> budget.failed(new SourceThrottledException("503 SlowDown"), "reading x at byte offset 7"))
                .isInstanceOf(SourceThrottledException.class)
                .hasMessageContaining("gave up reading x at byte offset 7 after 3 attempts: 503 SlowDown");
    }

    @Test
    void aBudgetEndsAfterItsTimeEvenWithAttemptsLeftButNeverCutsAnOperationThatDoesNotFail() throws IOException {
        var clock = new TestClock();
        var budget = new RetryBudget(new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofMinutes(2)), clock);
        clock.advance(Duration.ofMinutes(30));
        budget.restart();
        for (int i = 0; i < 100; i++) {
            clock.advance(Duration.ofSeconds(1));
            budget.failed(new IOException("reset"), "reading x");
        }
        clock.advance(Duration.ofSeconds(21));
        assertThatThrownBy(() -> budget.failed(new IOException("reset"), "reading x"))
                .isInstanceOf(SourceUnavailableException.class)
                .isNotInstanceOf(SourceThrottledException.class)
                .hasMessageContaining("after 101 attempts over 121 s without completing (option retry.give-up-after=120s)");
    }

    @Test
    void permanentFailuresAndInterruptsAreNotRetried() {
        var budget = RetryPolicy.DEFAULT.budget();
        var changed = new SourceChangedException("replaced");
        assertThatThrownBy(() -> budget.failed(changed, "x")).isSameAs(changed);
        var interrupted = new InterruptedIOException("stop");
        assertThatThrownBy(() -> budget.failed(interrupted, "x")).isSameAs(interrupted);
        assertThat(budget.attempts()).isZero();
        assertThat(RetryPolicy.isRetryable(new SocketTimeoutException("read timed out"))).isTrue();
        assertThat(RetryPolicy.isRetryable(new IOException("reset"))).isTrue();
        assertThat(RetryPolicy.isRetryable(new SourceThrottledException("slow down"))).isTrue();
        assertThat(RetryPolicy.isRetryable(new InvalidOptionException("k", "bad"))).isFalse();
        assertThat(RetryPolicy.isRetryable(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void callRetriesUntilSuccessTellingTheListenerOfEachRetry() throws IOException {
        var calls = new AtomicInteger();
        var told = new ArrayList<String>();
        var policy = new RetryPolicy(5, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(1));
        String result = policy.call("opening x", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new SourceUnavailableException("503 #" + calls.get());
            }
            return "ok";
        }, (attempt, delay, failure) -> told.add(attempt + ":" + failure.getMessage()));
        assertThat(result).isEqualTo("ok");
        assertThat(told).containsExactly("1:503 #1", "2:503 #2");
        assertThatThrownBy(() -> policy.call("opening y", () -> {
            throw new SourceUnavailableException("503 always");
        }, RetryPolicy.Listener.NONE)).hasMessageContaining("gave up opening y after 5 attempts: 503 always");
    }

    @Test
    void theUnlimitedPolicyOfAServiceNeverGivesUp() throws IOException {
        var clock = new TestClock();
        var budget = new RetryBudget(RetryPolicy.unlimited(Duration.ofSeconds(1), Duration.ofMinutes(3)), clock);
        for (int i = 0; i < 10_000; i++) {
            budget.pause(budget.failed(new IOException("reset"), "flashing"), "flashing");
        }
        assertThat(clock.sleeps).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(3)));
        assertThat(Duration.ofNanos(clock.now.get())).isGreaterThan(Duration.ofHours(24));
    }

    @Test
    void optionsAreReadWithTheirRanges() throws InvalidOptionException {
        var policy = RetryPolicy.from(Options.of(java.util.Map.of("retry.attempts", "3", "retry.base-delay", "1ms",
                "retry.max-delay", "2s", "retry.give-up-after", "90s")));
        assertThat(policy).isEqualTo(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofSeconds(2), Duration.ofSeconds(90)));
        assertThatThrownBy(() -> RetryPolicy.from(Options.of(java.util.Map.of("retry.max-delay", "3h"))))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("retry.max-delay=3h");
    }
}
