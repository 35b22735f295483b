package io.github.s3flash.api.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads an upstream stream ahead on a thread of its own, into at most {@code blocks} blocks, so the
 * fetch stage runs beside decoding and blocks when decoding falls behind (back-pressure).
 */
public final class PrefetchStream extends InputStream {

    private static final byte[] END = new byte[0];

    private final InputStream upstream;
    private final BlockingQueue<byte[]> queue;
    // Blocks the reader has finished with, reused by the fetcher: the stream allocates a handful of
    // blocks in all instead of one per block of the image.
    private final BlockingQueue<byte[]> spare;
    private final Thread fetcher;
    private volatile IOException failure;
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    public PrefetchStream(InputStream upstream, int blockSize, int blocks) {
        this.upstream = upstream;
        this.queue = new ArrayBlockingQueue<>(blocks);
        this.spare = new ArrayBlockingQueue<>(blocks + 2);
        this.fetcher = Thread.ofPlatform().name("s3flash-fetch").daemon().unstarted(() -> pump(blockSize));
        fetcher.start();
    }

    private void pump(int blockSize) {
        try {
            while (!closed) {
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
                while (!queue.offer(block, 100, TimeUnit.MILLISECONDS)) {
                    if (closed) {
                        return;
                    }
                }
                if (n < blockSize) {
                    break;
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new IOException("reading the image failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            while (!closed && !queue.offer(END, 100, TimeUnit.MILLISECONDS)) {
                // Waiting for the reader to make room for the end marker.
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (closed) {
            throw new IOException("image stream closed");
        }
        if (position == current.length) {
            if (ended) {
                return -1;
            }
            if (current.length > 0 && current != END) {
                spare.offer(current);
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the image");
            }
            position = 0;
            if (current == END) {
                ended = true;
                if (failure != null) {
                    throw failure;
                }
                return -1;
            }
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            fetcher.interrupt();
            upstream.close();
        }
    }
}
