package io.github.s3flash.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The fetch gate's additive increase and multiplicative decrease, on a clock the test moves: it
 * grows by one a window while the rate holds up to its cap, halves once per window of throttled
 * reads, grows back by one a window after that, and stays between one and the cap; its part size
 * doubles with each halving and steps back by one base part a quiet window.
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
        var gate = new FetchGate(8, 1 << 20, clock::get);
        assertThat(gate.limit()).as("starts small").isEqualTo(2);
        for (int w = 0; w < 20; w++) {
            window(gate, clock, 1 << 20, 1_000_000);
        }
        assertThat(gate.limit()).as("capped").isEqualTo(8);
        assertThat(new FetchGate(1, 1 << 20, clock::get).limit()).isEqualTo(1);
    }

    @Test
    void doublesWhileTheRateGrowsWithItThenGrowsByOne() throws InterruptedException {
        var gate = new FetchGate(64, 1 << 20, clock::get);
        // Each read takes as long whatever the number at once: the rate grows with the number.
        for (int expected : new int[] {4, 8, 16}) {
            window(gate, clock, 1 << 20, 1_000_000);
            assertThat(gate.limit()).as("slow start").isEqualTo(expected);
        }
        // Twice the reads at once, each twice as slow (a link or a CPU that is full): the rate holds.
        window(gate, clock, 1 << 20, 2_000_000);
        assertThat(gate.limit()).as("the rate did not grow by half: one more from now on").isEqualTo(17);
        window(gate, clock, 1 << 20, 2_000_000 * 17 / 16);
        assertThat(gate.limit()).as("additive").isEqualTo(18);
    }

    @Test
    void stopsGrowingWhenTheRateFalls() throws InterruptedException {
        var gate = new FetchGate(16, 1 << 20, clock::get);
        window(gate, clock, 1 << 20, 1_000_000);
        assertThat(gate.limit()).isEqualTo(4);
        // The same bytes per read, each window slower than the last: the aggregate rate falls.
        window(gate, clock, 1 << 20, 10_000_000);
        assertThat(gate.limit()).isEqualTo(4);
        window(gate, clock, 1 << 20, 20_000_000);
        assertThat(gate.limit()).isEqualTo(4);
    }

    @Test
    void halvesOnceAWindowWhenThrottledAndGrowsBackByOne() throws InterruptedException {
        var gate = new FetchGate(8, 1 << 20, clock::get);
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

    @Test
    void throttlingAsksForLargerPartsAndQuietWindowsStepThemBack() throws InterruptedException {
        var gate = new FetchGate(8, 1 << 20, clock::get);
        assertThat(gate.partBytes()).as("the base part while nothing throttles").isEqualTo(1 << 20);
        for (int w = 0; w < 10; w++) {
            window(gate, clock, 1 << 20, 1_000_000);
        }
        assertThat(gate.partBytes()).as("growing the number of reads leaves their size alone").isEqualTo(1 << 20);
        gate.throttled();
        gate.throttled();
        assertThat(gate.partBytes()).as("doubled once for a burst in one window").isEqualTo(2 << 20);
        window(gate, clock, 2 << 20, 1_000_000);
        gate.throttled();
        assertThat(gate.partBytes()).as("doubled again in the next window").isEqualTo(4 << 20);
        assertThat(gate.limit()).isEqualTo(2);
        window(gate, clock, 4 << 20, 1_000_000);
        assertThat(gate.partBytes()).as("the throttled window does not step back").isEqualTo(4 << 20);
        window(gate, clock, 4 << 20, 1_000_000);
        assertThat(gate.partBytes()).as("a quiet window steps back by one base part").isEqualTo(3 << 20);
        for (int i = 0; i < 10; i++) {
            gate.throttled();
            window(gate, clock, 1 << 20, 1_000_000);
        }
        assertThat(gate.partBytes()).as("never above the most").isEqualTo((long) FetchGate.MOST_PARTS << 20);
    }
}
