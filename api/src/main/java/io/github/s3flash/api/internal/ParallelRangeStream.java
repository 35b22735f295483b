package io.github.s3flash.api.internal;

import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the image in parts of {@code partSize} bytes, {@code concurrency} parts at once, and hands
 * them out in order. A part is fetched whole into memory by a {@link ResumingRangeStream}, so a
 * fault resumes from its last byte received; at most {@code concurrency} parts are fetched or
 * waiting at any time, plus the one being read.
 */
public final class ParallelRangeStream extends InputStream {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final PinnedImage image;
    private final int partSize;
    private final int concurrency;
    private final RetryPolicy retry;
    private final ProgressListener listener;
    private final long length;
    private final ExecutorService fetchers;
    private final ArrayDeque<Future<byte[]>> window = new ArrayDeque<>();
    /** Parts already read, for the next fetches: a flash allocates about concurrency + 1 parts in all. */
    private final BlockingQueue<byte[]> spare;
    private long nextPart;
    private byte[] current = new byte[0];
    private int position;
    private volatile boolean closed;

    public ParallelRangeStream(PinnedImage image, int partSize, int concurrency, RetryPolicy retry,
            ProgressListener listener) {
        this.image = image;
        this.partSize = partSize;
        this.concurrency = concurrency;
        this.retry = retry;
        this.listener = listener;
        this.length = image.info().length();
        this.spare = new ArrayBlockingQueue<>(concurrency + 1);
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.fetchers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "s3flash-fetch-" + pool + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        fillWindow();
    }

    private void fillWindow() {
        while (window.size() < concurrency && nextPart < length) {
            long start = nextPart;
            int size = (int) Math.min(partSize, length - start);
            nextPart += size;
            window.add(fetchers.submit(() -> fetch(start, size)));
        }
    }

    private byte[] fetch(long start, int size) throws IOException {
        byte[] reused = size == partSize ? spare.poll() : null;
        byte[] part = reused != null ? reused : new byte[size];
        try (var in = new ResumingRangeStream(image, start, start + size, retry, listener)) {
            int got = 0;
            while (got < size) {
                if (closed) {
                    throw new IOException("image stream closed");
                }
                int n = in.read(part, got, size - got);
                if (n < 0) {
                    throw new IOException("range ended early at byte " + (start + got));
                }
                got += n;
            }
        }
        return part;
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
            Future<byte[]> next = window.poll();
            if (next == null) {
                return -1;
            }
            if (current.length == partSize) {
                spare.offer(current);
            }
            current = await(next);
            position = 0;
            fillWindow();
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    private static byte[] await(Future<byte[]> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the image");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("fetching a part of the image failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            window.forEach(f -> f.cancel(true));
            window.clear();
            fetchers.shutdownNow();
        }
    }
}
