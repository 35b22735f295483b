package io.github.s3flash.api.internal;

import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Heap arrays for compressed chunk frames, made on first use and reused: an indexed flash reads
 * thousands of frames of megabytes each, and allocating each anew costs the collector more than the
 * flash costs the CPU (they are humongous objects to G1). Bounded like {@link BufferPool}.
 */
final class FramePool {

    private final BlockingQueue<byte[]> free;
    private final int size;
    private final int most;
    private int made;

    FramePool(int frames, int size) {
        this.free = new ArrayBlockingQueue<>(frames);
        this.size = size;
        this.most = frames;
    }

    byte[] take() throws InterruptedIOException {
        synchronized (this) {
            if (free.isEmpty() && made < most) {
                made++;
                return new byte[size];
            }
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a frame buffer");
        }
    }

    void release(byte[] frame) {
        free.add(frame);
    }
}
