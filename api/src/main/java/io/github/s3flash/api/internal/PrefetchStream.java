package io.github.s3flash.api.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads an upstream stream ahead on a thread of its own, into at most {@code blocks} blocks, so the
 * fetch stage runs beside decoding and blocks when decoding falls behind (back-pressure). Whatever
 * ends the fetcher (an end of stream, an I/O error, an {@link Error}) ends its queue, and a failure
 * reaches the reader as it was thrown.
 */
public final class PrefetchStream extends BlockStream {

    private static final byte[] END = new byte[0];

    private final InputStream upstream;
    private final BlockingQueue<byte[]> queue;
    // Blocks the reader has finished with, reused by the fetcher: the stream allocates a handful of
    // blocks in all instead of one per block of the image.
    private final BlockingQueue<byte[]> spare;
    private final Thread fetcher;
    private volatile Throwable failure;
    private volatile boolean stopped;

    /** {@code length}: the bytes {@code upstream} holds, or -1 when unknown. */
    public PrefetchStream(String what, long length, InputStream upstream, int blockSize, int blocks,
            EndCheck endCheck) {
        super(what, length, endCheck);
        this.upstream = upstream;
        this.queue = new ArrayBlockingQueue<>(blocks);
        this.spare = new ArrayBlockingQueue<>(blocks + 2);
        this.fetcher = Thread.ofPlatform().name("s3flash-fetch").daemon().unstarted(() -> pump(blockSize));
        fetcher.start();
    }

    private void pump(int blockSize) {
        try {
            while (!stopped) {
                // readNBytes(byte[], ...) fills the caller's array directly; readNBytes(int) would read
                // in small pieces and copy them once more.
                byte[] block = spare.poll();
                if (block == null) {
                    block = new byte[blockSize];
                }
                int n = upstream.readNBytes(block, 0, blockSize);
                if (n == 0) {
                    break;
                }
                if (n < blockSize) {
                    block = Arrays.copyOf(block, n);
                }
                if (!hand(block) || n < blockSize) {
                    break;
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            try {
                hand(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Queues {@code block} for the reader; false once the stream is closed. */
    private boolean hand(byte[] block) throws InterruptedException {
        while (!queue.offer(block, 100, TimeUnit.MILLISECONDS)) {
            if (stopped) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected byte[] nextBlock() throws IOException {
        byte[] next = await(queue::take);
        if (next != END) {
            return next;
        }
        Throwable failed = failure;
        if (failed == null) {
            return null;
        }
        throw thrownAsIs(failed);
    }

    @Override
    protected void recycle(byte[] block) {
        spare.offer(block);
    }

    @Override
    protected void release(boolean complete) throws IOException {
        stopped = true;
        fetcher.interrupt();
        upstream.close();
    }
}
