package io.github.s3flash.api.internal;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.RetryPolicy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the image in parts of {@code partSize} bytes, {@code concurrency} parts at once, and hands
 * them out in order. Each part is one {@link ImageStreams#readFully} (retried and resumed from its
 * last byte, with a budget per part); at most {@code concurrency} parts are fetched or waiting at any
 * time, plus the one being read. A part that failed fails the stream: its failure is thrown by this
 * read and every later one.
 */
public final class ParallelRangeStream extends BlockStream {

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

    public ParallelRangeStream(PinnedImage image, int partSize, int concurrency, RetryPolicy retry,
            ProgressListener listener, EndCheck endCheck) {
        super(ImageLocations.redact(image.info().location()), image.info().length(), endCheck);
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
        ImageStreams.readFully(image, start, part, 0, size, retry, listener);
        return part;
    }

    @Override
    protected byte[] nextBlock() throws IOException {
        Future<byte[]> next = window.poll();
        if (next == null) {
            return null;
        }
        // Every Throwable of a fetcher (an Error too) reaches the reader as it was thrown.
        byte[] part = await(next::get);
        fillWindow();
        return part;
    }

    @Override
    protected void recycle(byte[] block) {
        if (block.length == partSize) {
            spare.offer(block);
        }
    }

    @Override
    protected void release(boolean complete) {
        window.forEach(f -> f.cancel(true));
        window.clear();
        fetchers.shutdownNow();
    }
}
