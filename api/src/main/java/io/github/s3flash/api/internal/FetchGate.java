package io.github.s3flash.api.internal;

import java.util.function.LongSupplier;

/**
 * How many ranged reads an indexed flash runs at once, and how large each is: a slow start, then
 * additive increase, multiplicative decrease. The number starts at two (or the cap, if lower) and
 * doubles after each window of finished reads while the aggregate rate grows with it (by half at
 * least), so that the tens of connections a fast NIC needs to S3 are reached in a few windows rather
 * than one a window; from the first window that does not, or the first throttled read, it takes one
 * more a window while the aggregate rate has not fallen and the source has not throttled. A
 * throttled read (S3's {@code 503 SlowDown}) halves it, at most once a window, so a burst of
 * throttled answers to the reads of one moment counts once. It never exceeds the cap (the fetcher
 * threads there are) nor falls below one.
 *
 * <p>A store throttles requests, not bytes (S3 serves one key some thousands of GETs a second,
 * whatever their size), so the same halving doubles the bytes a read asks for, up to {@value
 * #MOST_PARTS} times the base part size: fewer connections, larger parts, about the same bytes per
 * second for far fewer requests. Each window without a throttled read steps the part size back down
 * by one base part. Thread-safe.
 */
final class FetchGate {

    /** The largest part, in base parts. */
    static final int MOST_PARTS = 16;

    private final int cap;
    private final long basePart;
    private final LongSupplier nanoClock;
    private int limit;
    private boolean slowStart = true;
    private int parts = 1;
    private int active;
    private int finishedInWindow;
    private long bytesInWindow;
    private long windowStart;
    private double lastRate;
    private boolean throttledInWindow;
    private long lastCut = Long.MIN_VALUE;

    /**
     * @param basePart the bytes a read asks for while the source has not throttled
     * @param nanoClock a monotonic clock in nanoseconds (tests pass their own)
     */
    FetchGate(int cap, long basePart, LongSupplier nanoClock) {
        if (cap < 1 || basePart < 1) {
            throw new IllegalArgumentException("cap and basePart must be >= 1: " + cap + ", " + basePart);
        }
        this.cap = cap;
        this.basePart = basePart;
        this.nanoClock = nanoClock;
        this.limit = Math.min(2, cap);
        this.windowStart = nanoClock.getAsLong();
    }

    /** Waits until fewer than the limit are running, then counts one more. */
    synchronized void acquire() throws InterruptedException {
        while (active >= limit) {
            wait();
        }
        active++;
    }

    /** One read ended, having received {@code bytes}; at the end of a window the limit may grow. */
    synchronized void release(long bytes) {
        active--;
        finishedInWindow++;
        bytesInWindow += bytes;
        if (finishedInWindow >= limit) {
            long now = nanoClock.getAsLong();
            double rate = bytesInWindow / (double) Math.max(1, now - windowStart);
            if (slowStart && !throttledInWindow && rate >= lastRate * 1.5) {
                limit = Math.min(cap, limit * 2);
            } else {
                slowStart = false;
                if (!throttledInWindow && rate >= lastRate * 0.95 && limit < cap) {
                    limit++;
                }
            }
            if (!throttledInWindow && parts > 1) {
                parts--;
            }
            lastRate = rate;
            finishedInWindow = 0;
            bytesInWindow = 0;
            windowStart = now;
            throttledInWindow = false;
        }
        notifyAll();
    }

    /**
     * The source throttled a read: halve the limit and double the part size, unless that was done in
     * this window already.
     */
    synchronized void throttled() {
        throttledInWindow = true;
        slowStart = false;
        if (lastCut != windowStart) {
            lastCut = windowStart;
            limit = Math.max(1, limit / 2);
            parts = Math.min(MOST_PARTS, parts * 2);
        }
    }

    /** Reads allowed at once now. */
    synchronized int limit() {
        return limit;
    }

    /** The bytes a read should ask for now (a reader rounds to whole chunks, at least one). */
    synchronized long partBytes() {
        return basePart * parts;
    }
}
