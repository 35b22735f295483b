package io.github.s3flash.api.internal;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.ChunkCounts;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.index.Chunk;
import io.github.s3flash.api.index.ChunkDecoder;
import io.github.s3flash.api.index.ChunkMismatchException;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.Manifest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Flashes an indexed image chunk by chunk: each chunk's frame fetched with a ranged read, decoded
 * and hashed into a pooled aligned buffer, compared with the manifest, and only then written, at its
 * offset, in whatever order chunks finish.
 *
 * <p><b>Threads.</b> A dispatcher walks the manifest in order and takes a buffer per chunk (the pool
 * bounds memory: buffers × chunk size, plus at most one compressed frame per buffer, whatever the
 * image size). Fetchers read frames and, with delta, the target's bytes; the frames of chunks
 * adjacent in the object are read with one ranged read of up to the gate's part size, each decoded
 * as soon as it has arrived. How many reads run at once and how large they are is the {@link
 * FetchGate}'s (from two up to the concurrency; halved, with parts twice as large, when the source
 * throttles); decoders (one per core) decode and hash; the calling thread alone writes, so the
 * target sees one writer as {@link BlockTarget} asks. A chunk whose bytes do not match the manifest
 * is fetched again, up to {@value #ATTEMPTS} times in all, and then fails the flash naming it; its
 * bytes are never written. All-zero chunks are never fetched, decoded or hashed: runs of them go to
 * the target's zero path.
 *
 * <p><b>Delta.</b> With delta, a chunk's bytes are first read from the target (concurrent reads of
 * ranges no write is in flight on, as {@link BlockTarget#read} allows) and hashed; a chunk the target
 * already holds is neither fetched nor written. All-zero chunks are read back too, unless the target
 * {@linkplain BlockTarget#zeroesWithoutWriting zeroes without writing}: they then go to its zero
 * path. The same makes a retried flash fetch only what the failed one did not write.
 *
 * <p><b>Teardown.</b> The first failure anywhere stops every thread; {@link #run} returns or throws
 * only once all of them have ended, so whoever closes the target after it never closes it under a
 * read or a write.
 */
public final class IndexedPipeline {

    /** How often a chunk is fetched before a mismatch with the manifest fails the flash. */
    public static final int ATTEMPTS = 3;

    private static final System.Logger LOG = System.getLogger(IndexedPipeline.class.getName());
    private static final long POLL_MILLIS = 20;
    private static final AtomicInteger FLASHES = new AtomicInteger();

    /**
     * What the flash did.
     *
     * @param bytesWritten image bytes now on the target (zero ranges and bytes it already held included)
     * @param bytesZero of those, bytes handed to the target's zero path
     * @param bytesIdentical of those, bytes the target already held (delta), neither fetched nor written
     * @param bytesFetched bytes read from the object (chunk frames, refetches included), plus {@code
     *     alreadyFetched}
     */
    public record Outcome(long bytesWritten, long bytesZero, long bytesIdentical, ChunkCounts chunks,
            long bytesFetched) {}

    /** What a fetcher or decoder hands the writer, one per task. */
    private sealed interface Done {}

    /** Checked bytes to write. */
    private record Data(Chunk chunk, ByteBuffer buffer) implements Done {}

    /** A run of zero chunks to hand to the zero path; {@code buffer} is null when none was taken. */
    private record Zeros(long offset, long length, int chunks, ByteBuffer buffer) implements Done {}

    /** A chunk the target already holds (delta). */
    private record Same(Chunk chunk, ByteBuffer buffer) implements Done {}

    private final PinnedImage image;
    private final String shown;
    private final IndexedImage index;
    private final ChunkDecoder decoder;
    private final BlockTarget target;
    private final PipelineSettings settings;
    private final int concurrency;
    private final int threads;
    private final boolean delta;
    private final ProgressListener listener;
    private final long nanoStart;
    private final TargetWrites writes;
    private final FetchGate gate;
    private FramePool frames;
    private final ProgressListener fetchListener;

    private final AtomicLong fetched;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final BlockingQueue<Done> done = new LinkedBlockingQueue<>();
    private volatile boolean stopping;
    private long imageBytesDone;

    /**
     * @param alreadyFetched bytes of the object read before (head, index, signatures), for the count
     * @param concurrency the most ranged reads at once
     * @param threads decoding threads
     * @param delta whether to read each chunk from the target first and skip it when it matches
     */
    public IndexedPipeline(PinnedImage image, IndexedImage index, ChunkDecoder decoder, BlockTarget target,
            PipelineSettings settings, int concurrency, int threads, boolean delta, ProgressListener listener,
            long nanoStart, long alreadyFetched) {
        this.image = requireNonNull(image, "image");
        this.shown = ImageLocations.redact(image.info().location());
        this.index = requireNonNull(index, "index");
        this.decoder = requireNonNull(decoder, "decoder");
        this.target = requireNonNull(target, "target");
        this.settings = requireNonNull(settings, "settings");
        if (concurrency < 1 || threads < 1) {
            throw new IllegalArgumentException("concurrency and threads must be >= 1: " + concurrency + ", " + threads);
        }
        this.concurrency = concurrency;
        this.threads = threads;
        this.delta = delta;
        this.listener = requireNonNull(listener, "listener");
        this.nanoStart = nanoStart;
        this.fetched = new AtomicLong(alreadyFetched);
        this.writes = new TargetWrites(target, shown, listener);
        this.gate = new FetchGate(concurrency, settings.partSizeFor(image.info()), System::nanoTime);
        // A throttled retry of any chunk read tells the gate to run fewer at once.
        this.fetchListener = event -> {
            if (event instanceof ProgressEvent.Retrying r && r.throttled()) {
                gate.throttled();
            }
            Pipeline.notify(listener, event);
        };
    }

    /** Whether the target may have changed (see {@link TargetWrites#started()}). */
    public boolean writingStarted() {
        return writes.started();
    }

    /** Image bytes done so far (written, zeroed or found identical). */
    public long bytesDone() {
        return imageBytesDone;
    }

    /** Buffers in the pool: enough for every fetcher and decoder to hold one, and a few queued for the writer. */
    public static int buffers(PipelineSettings settings, int concurrency, int threads) {
        return Math.max(settings.buffers(), concurrency + threads + 2);
    }

    /**
     * Fetches, checks and writes every chunk; returns once all are on the target (not yet forced),
     * throws the first failure as it was thrown. An interrupt of the calling thread stops the flash
     * ({@link InterruptedIOException}) and leaves the thread's interrupt status set.
     */
    public Outcome run() throws IOException {
        Manifest manifest = index.manifest();
        List<Object> tasks = tasks(manifest);
        int buffers = buffers(settings, concurrency, threads);
        var pool = new BufferPool(buffers, manifest.chunkSize(), PipelineSettings.ALIGNMENT);
        // One compressed frame per buffer at most: a chunk holds its buffer from dispatch to write.
        frames = new FramePool(buffers,
                manifest.chunks().stream().mapToInt(Chunk::compressedLength).max().orElse(0));
        int flash = FLASHES.incrementAndGet();
        List<Thread> workers = new CopyOnWriteArrayList<>();
        ExecutorService fetchers = pool(concurrency, "s3flash-chunk-fetch-" + flash, workers);
        ExecutorService decoders = pool(threads, "s3flash-chunk-decode-" + flash, workers);
        Thread dispatcher = Thread.ofPlatform().name("s3flash-chunk-dispatch-" + flash).daemon()
                .unstarted(() -> guarded(() -> dispatch(tasks, pool, Math.max(1, buffers / 2), fetchers, decoders)));
        long[] counts = new long[6];
        boolean interrupted = false;
        try {
            dispatcher.start();
            for (int finished = 0; finished < tasks.size() && failure.get() == null; ) {
                Done item;
                try {
                    item = done.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    fail(new InterruptedIOException("flash interrupted"));
                    break;
                }
                if (item == null || failure.get() != null) {
                    continue;
                }
                write(item, pool, counts);
                finished++;
                Pipeline.notify(listener, new ProgressEvent.Progress(fetched.get(), imageBytesDone,
                        image.info().length(), manifest.imageLength(), Duration.ofNanos(System.nanoTime() - nanoStart)));
            }
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
        } finally {
            stopping = true;
            dispatcher.interrupt();
            fetchers.shutdownNow();
            decoders.shutdownNow();
            interrupted |= awaitEnd(dispatcher, workers, fetchers, decoders);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Pipeline.rethrow(failure.get());
        return new Outcome(imageBytesDone, counts[0], counts[1], new ChunkCounts((int) counts[2], (int) counts[3],
                (int) counts[4]), fetched.get());
    }

    /**
     * The tasks in manifest order: a {@link Chunk} to fetch (or, with delta, to look up on the target
     * first), or a run of zero chunks ({@link Zeros}) for the zero path. With delta, zero chunks are
     * looked up too, unless the target zeroes without writing: then zeroing costs less than reading.
     */
    private List<Object> tasks(Manifest manifest) {
        List<Object> tasks = new ArrayList<>();
        boolean lookUpZeros = delta && !target.zeroesWithoutWriting();
        Zeros run = null;
        for (Chunk chunk : manifest.chunks()) {
            if (chunk.zero() && !lookUpZeros) {
                run = run == null ? new Zeros(chunk.offset(), chunk.length(), 1, null)
                        : new Zeros(run.offset(), run.length() + chunk.length(), run.chunks() + 1, null);
                continue;
            }
            if (run != null) {
                tasks.add(run);
                run = null;
            }
            tasks.add(chunk);
        }
        if (run != null) {
            tasks.add(run);
        }
        return tasks;
    }

    /**
     * Hands out the tasks in order. Without delta, chunks whose frames are adjacent in the object go
     * to one fetcher as a span read with one request: as many as the gate's part size holds (at least
     * one), and at most {@code mostInSpan}, so that a span never waits for more buffers than the pool
     * has.
     */
    private void dispatch(List<Object> tasks, BufferPool pool, int mostInSpan, ExecutorService fetchers,
            ExecutorService decoders) throws IOException {
        for (int i = 0; i < tasks.size(); ) {
            if (stopping) {
                return;
            }
            Object task = tasks.get(i++);
            if (task instanceof Zeros zeros) {
                done.add(zeros);
                continue;
            }
            Chunk chunk = (Chunk) task;
            if (delta) {
                ByteBuffer buffer = pool.take();
                submit(fetchers, () -> lookUp(chunk, buffer, fetchers, decoders));
                continue;
            }
            List<Chunk> span = new ArrayList<>();
            span.add(chunk);
            long part = gate.partBytes();
            long bytes = chunk.compressedLength();
            while (i < tasks.size() && span.size() < mostInSpan && tasks.get(i) instanceof Chunk next
                    && next.compressedOffset() == chunk.compressedOffset() + bytes
                    && bytes + next.compressedLength() <= part) {
                span.add(next);
                bytes += next.compressedLength();
                i++;
            }
            List<ByteBuffer> buffers = new ArrayList<>(span.size());
            for (int k = 0; k < span.size(); k++) {
                buffers.add(pool.take());
            }
            submit(fetchers, () -> fetch(span, buffers, 1, fetchers, decoders));
        }
    }

    /** Reads the chunk's bytes from the target, and has a decoder compare them with the manifest. */
    private void lookUp(Chunk chunk, ByteBuffer buffer, ExecutorService fetchers, ExecutorService decoders)
            throws IOException {
        // Whole aligned units, so the read can bypass the page cache; a short read is a target that ends before.
        int aligned = (int) Math.min(roundUp(chunk.length(), PipelineSettings.ALIGNMENT), buffer.capacity());
        buffer.clear().limit(aligned);
        int got = target.read(chunk.offset(), buffer);
        if (got < chunk.length()) {
            if (chunk.zero()) {
                done.add(new Zeros(chunk.offset(), chunk.length(), 1, buffer));
            } else {
                fetch(List.of(chunk), List.of(buffer), 1, fetchers, decoders);
            }
            return;
        }
        buffer.flip().limit(chunk.length());
        submit(decoders, () -> {
            boolean held = chunk.zero() ? TargetWrites.allZero(buffer) : chunk.matches(sha256(buffer));
            if (held) {
                done.add(new Same(chunk, buffer));
            } else if (chunk.zero()) {
                done.add(new Zeros(chunk.offset(), chunk.length(), 1, buffer));
            } else {
                submit(fetchers, () -> fetch(List.of(chunk), List.of(buffer), 1, fetchers, decoders));
            }
        });
    }

    /**
     * Reads the frames of {@code span} (chunks adjacent in the object, {@code buffers} one for each)
     * with one ranged read, handing each to a decoder as soon as it has arrived.
     */
    private void fetch(List<Chunk> span, List<ByteBuffer> buffers, int attempt, ExecutorService fetchers,
            ExecutorService decoders) throws IOException {
        Chunk first = span.getFirst();
        Chunk last = span.getLast();
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to fetch " + first.describe());
        }
        long got = 0;
        try (InputStream in = ImageStreams.openRange(image, first.compressedOffset(),
                last.compressedOffset() + last.compressedLength() - first.compressedOffset(), settings.retry(),
                fetchListener)) {
            for (int k = 0; k < span.size(); k++) {
                Chunk chunk = span.get(k);
                ByteBuffer buffer = buffers.get(k);
                // Never waits: a frame is held only by a chunk that also holds one of the pool's buffers,
                // and this span's chunks hold buffers but no frames yet.
                byte[] frame = frames.take();
                try {
                    ImageStreams.readFully(in, frame, 0, chunk.compressedLength());
                } catch (IOException | RuntimeException | Error e) {
                    frames.release(frame);
                    throw e;
                }
                got += chunk.compressedLength();
                fetched.addAndGet(chunk.compressedLength());
                submit(decoders, () -> decode(chunk, buffer, frame, attempt, fetchers, decoders));
            }
        } finally {
            gate.release(got);
        }
    }

    private void decode(Chunk chunk, ByteBuffer buffer, byte[] frame, int attempt, ExecutorService fetchers,
            ExecutorService decoders) throws IOException {
        buffer.clear();
        try {
            decoder.decode(chunk, new ByteArrayInputStream(frame, 0, chunk.compressedLength()), buffer);
        } catch (ChunkMismatchException e) {
            frames.release(frame);
            if (attempt >= ATTEMPTS) {
                throw new ChunkMismatchException(e.getMessage() + "; fetched " + attempt + " times from " + shown
                        + " and never as the manifest records it, so it was not written: the object was changed or"
                        + " damaged, replace it", chunk, e);
            }
            // A flaky network or proxy may have damaged it on the way: fetch it again.
            Pipeline.notify(listener, new ProgressEvent.Retrying(chunk.compressedOffset(), attempt, Duration.ZERO,
                    e.getMessage()));
            submit(fetchers, () -> fetch(List.of(chunk), List.of(buffer), attempt + 1, fetchers, decoders));
            return;
        }
        frames.release(frame);
        buffer.flip();
        done.add(new Data(chunk, buffer));
    }

    /** Writes one finished task; on the calling thread only. */
    private void write(Done item, BufferPool pool, long[] counts) throws IOException {
        switch (item) {
            case Data d -> {
                writes.write(d.chunk().offset(), d.buffer(), false);
                counts[2]++;
                imageBytesDone += d.chunk().length();
                pool.release(d.buffer());
            }
            case Zeros z -> {
                writes.zero(z.offset(), z.length());
                counts[0] += z.length();
                counts[4] += z.chunks();
                imageBytesDone += z.length();
                if (z.buffer() != null) {
                    pool.release(z.buffer());
                }
            }
            case Same s -> {
                counts[1] += s.chunk().length();
                counts[s.chunk().zero() ? 4 : 3]++;
                imageBytesDone += s.chunk().length();
                pool.release(s.buffer());
            }
        }
    }

    private interface Task {
        void run() throws Exception;
    }

    private void submit(ExecutorService executor, Task task) {
        try {
            executor.execute(() -> guarded(task));
        } catch (RejectedExecutionException e) {
            if (!stopping) {
                fail(e);
            }
        }
    }

    private void guarded(Task task) {
        if (stopping) {
            return;
        }
        try {
            task.run();
        } catch (Throwable t) {
            if (!fail(t) && !(t instanceof InterruptedException || t instanceof InterruptedIOException)) {
                LOG.log(System.Logger.Level.DEBUG, "after the first failure, another task also failed", t);
            }
        }
    }

    /** Records the first failure and tells every thread to stop; false when another came first. */
    private boolean fail(Throwable t) {
        boolean first = failure.compareAndSet(null, t);
        stopping = true;
        return first;
    }

    /**
     * Waits until every thread has ended; true when this thread was interrupted meanwhile. A pool is
     * terminated once its workers have left their loops, a moment before their threads end: the
     * threads are joined too, so that a flash leaves no thread of its own behind when it returns.
     */
    private static boolean awaitEnd(Thread dispatcher, List<Thread> workers, ExecutorService... pools) {
        boolean interrupted = false;
        while (true) {
            try {
                dispatcher.join();
                for (ExecutorService pool : pools) {
                    while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                        pool.shutdownNow();
                    }
                }
                for (Thread worker : workers) {
                    worker.join();
                }
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    /** A pool of {@code size} daemon threads named {@code name-N}, each added to {@code threads} as it is made. */
    private static ExecutorService pool(int size, String name, List<Thread> threads) {
        AtomicInteger named = new AtomicInteger();
        return Executors.newFixedThreadPool(size, r -> {
            Thread t = Thread.ofPlatform().name(name + "-" + named.incrementAndGet()).daemon().unstarted(r);
            threads.add(t);
            return t;
        });
    }

    private static long roundUp(long n, int unit) {
        return (n + unit - 1) / unit * unit;
    }

    private static byte[] sha256(ByteBuffer bytes) {
        MessageDigest md = newSha256();
        md.update(bytes.duplicate());
        return md.digest();
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * The SHA-256 (hex) of the target's first {@code length} bytes, read back in aligned pieces with
     * {@code piece} bytes at most (a multiple of 4096).
     */
    public static String sha256OfTarget(BlockTarget target, long length, int piece) throws IOException {
        MessageDigest md = newSha256();
        ByteBuffer buffer = ByteBuffer.allocateDirect(piece + PipelineSettings.ALIGNMENT)
                .alignedSlice(PipelineSettings.ALIGNMENT).limit(piece).slice();
        for (long at = 0; at < length; ) {
            int want = (int) Math.min(piece, length - at);
            buffer.clear().limit((int) Math.min(piece, roundUp(want, PipelineSettings.ALIGNMENT)));
            int got = target.read(at, buffer);
            if (got < want) {
                throw new IOException("reading the image back from the target to hash it: " + got + " bytes at offset "
                        + at + " where " + want + " were written");
            }
            md.update(buffer.flip().limit(want));
            at += want;
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
