package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks every chunk of an indexed image against its manifest: reads the chunk frames front to back
 * (in parallel ranged parts, as a flash reads a plain image), decodes and hashes them on several
 * threads, and stops at the first chunk, by index, that does not match. Memory: the parts in flight,
 * plus (threads + 2) frames and one decoded chunk per thread.
 */
public final class ImageVerifier {

    private static final AtomicInteger POOLS = new AtomicInteger();

    /**
     * What a verification read.
     *
     * @param chunks chunks decoded and checked
     * @param imageBytes decoded bytes checked
     * @param objectBytes bytes of chunk frames read
     * @param elapsed wall time
     */
    public record Result(int chunks, long imageBytes, long objectBytes, Duration elapsed) {}

    private ImageVerifier() {}

    /**
     * Decodes and checks every chunk of {@code index}, read from {@code image} (the same pinned object).
     *
     * @throws ChunkMismatchException naming the first chunk that does not match the manifest
     * @throws CorruptImageException when the object ends inside the chunk frames
     */
    public static Result verify(IndexedImage index, PinnedImage image, ChunkDecoder decoder, PipelineSettings settings,
            int threads, ChunkProgress progress) throws IOException {
        requireNonNull(index, "index");
        requireNonNull(image, "image");
        requireNonNull(decoder, "decoder");
        requireNonNull(settings, "settings");
        requireNonNull(progress, "progress");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        long start = System.nanoTime();
        Manifest manifest = index.manifest();
        ChunkProgress report = ChunkProgress.guarded(progress);
        int pool = POOLS.incrementAndGet();
        AtomicInteger named = new AtomicInteger();
        ExecutorService decoders = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "s3flash-verify-" + pool + "-" + named.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // One decoded chunk per decoding thread, reused for every chunk it decodes.
        ThreadLocal<ByteBuffer> decoded = ThreadLocal.withInitial(() -> ByteBuffer.allocate(manifest.chunkSize()));
        Deque<Future<Chunk>> window = new ArrayDeque<>();
        long[] done = new long[2];
        try (InputStream frames = ImageStreams.open(image, settings, ProgressListener.NONE)) {
            byte[] head = frames.readNBytes(IndexFormat.HEAD_FRAME);
            if (!java.util.Arrays.equals(head, IndexFormat.headFrame())) {
                throw new CorruptImageException("the object does not start with the 16-byte head frame of an indexed"
                        + " image (a skippable frame holding S3FL-IDX)", 0);
            }
            for (Chunk chunk : manifest.chunks()) {
                byte[] frame = frames.readNBytes(chunk.compressedLength());
                if (frame.length != chunk.compressedLength()) {
                    throw new CorruptImageException("the object ends inside " + chunk.describe(),
                            chunk.compressedOffset() + frame.length);
                }
                window.add(decoders.submit(() -> {
                    decoder.decode(chunk, new ByteArrayInputStream(frame), decoded.get().clear());
                    return chunk;
                }));
                drain(window, threads + 2, done, report);
            }
            drain(window, 0, done, report);
        } finally {
            decoders.shutdownNow();
        }
        return new Result(manifest.chunkCount(), done[0], done[1], Duration.ofNanos(System.nanoTime() - start));
    }

    /** Takes finished chunks off the window in order, and waits while it holds {@code limit} or more. */
    private static void drain(Deque<Future<Chunk>> window, int limit, long[] done, ChunkProgress report)
            throws IOException {
        while (!window.isEmpty() && (window.size() >= limit || window.peek().isDone())) {
            Chunk chunk = take(window.poll());
            done[0] += chunk.length();
            done[1] += chunk.compressedLength();
            report.onProgress(done[0], done[1]);
        }
    }

    private static Chunk take(Future<Chunk> next) throws IOException {
        try {
            return next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while verifying an indexed image");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IOException("verifying a chunk failed: " + e.getCause(), e.getCause());
        }
    }
}
