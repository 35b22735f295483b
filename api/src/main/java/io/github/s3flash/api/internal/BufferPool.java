package io.github.s3flash.api.internal;

import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed set of direct buffers, aligned in memory for direct I/O. Taking blocks while all are in
 * use, which is what bounds the pipeline's memory and makes a slow stage hold back the others.
 */
final class BufferPool {

    private final BlockingQueue<ByteBuffer> free;

    BufferPool(int buffers, int size, int alignment) {
        free = new ArrayBlockingQueue<>(buffers);
        for (int i = 0; i < buffers; i++) {
            free.add(ByteBuffer.allocateDirect(size + alignment).alignedSlice(alignment).limit(size).slice());
        }
    }

    ByteBuffer take() throws InterruptedIOException {
        try {
            return free.take().clear();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a buffer");
        }
    }

    void release(ByteBuffer buffer) {
        free.add(buffer);
    }
}
