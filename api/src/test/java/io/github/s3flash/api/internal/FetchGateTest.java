package io.github.s3flash.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The fetch gate's additive increase and multiplicative decrease, on a clock the test moves: it
 * grows by one a window while the rate holds up to its cap, halves once per window of throttled
 * reads, grows back by one a window after that, and stays between one and the cap.
 */
class FetchGateTest {

    private final AtomicLong clock = new AtomicLong();

    /** Runs one window of reads: {@code limit} reads of {@code bytes} each, over {@code nanos}. */
    private static void window(FetchGate gate, AtomicLong clock, long bytes, long nanos) throws InterruptedException {
        int n = gate.limit();
        for (int i = 0; i < n; i++) {
            gate.acquire();
        }
        clock.addAndGet(nanos);
        for (int i = 0; i < n; i++) {
            gate.release(bytes);
        }
    }

    @Test
    void growsWhileTheRateHoldsUpToItsCap() throws InterruptedException {
        var gate = new FetchGate(8, clock::get);
        assertThat(gate.limit()).as("starts small").isEqualTo(2);
        for (int w = 0; w < 20; w++) {
            window(gate, clock, 1 << 20, 1_000_000);
        }
        assertThat(gate.limit()).as("capped").isEqualTo(8);
        assertThat(new FetchGate(1, clock::get).limit()).isEqualTo(1);
    }

    @Test
    void stopsGrowingWhenTheRateFalls() throws InterruptedException {
        var gate = new FetchGate(16, clock::get);
        window(gate, clock, 1 << 20, 1_000_000);
        assertThat(gate.limit()).isEqualTo(3);
        // The same bytes per read, each window slower than the last: the aggregate rate falls.
        window(gate, clock, 1 << 20, 10_000_000);
        assertThat(gate.limit()).isEqualTo(3);
    }

    @Test
    void halvesOnceAWindowWhenThrottledAndGrowsBackByOne() throws InterruptedException {
        var gate = new FetchGate(8, clock::get);
        for (int w = 0; w < 10; w++) {
            window(gate, clock, 1 << 20, 1_000_000);
        }
        assertThat(gate.limit()).isEqualTo(8);
        gate.throttled();
        gate.throttled();
        gate.throttled();
        assertThat(gate.limit()).as("a burst of throttled answers in one window halves once").isEqualTo(4);
        window(gate, clock, 1 << 20, 1_000_000);
        assertThat(gate.limit()).as("no growth in a window that was throttled").isEqualTo(4);
        window(gate, clock, 1 << 20, 1_000_000);
        assertThat(gate.limit()).as("then one more a window").isEqualTo(5);
        for (int i = 0; i < 10; i++) {
            gate.throttled();
            window(gate, clock, 1 << 20, 1_000_000);
        }
        assertThat(gate.limit()).as("never below one").isEqualTo(1);
    }
}
