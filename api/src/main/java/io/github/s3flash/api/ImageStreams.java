package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.internal.BlockStream;
import io.github.s3flash.api.internal.ParallelRangeStream;
import io.github.s3flash.api.internal.PrefetchStream;
import io.github.s3flash.api.internal.ResumingRangeStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads a {@link PinnedImage} the way the pipeline does: each range retried with back-off and
 * resumed from the last byte received, all of the pinned version, with a retry budget per range
 * that a source trickling bytes between failures cannot restore. Every source provider gets this
 * for free by implementing {@link PinnedImage#openRange}.
 *
 * <p>{@link #open} reads the whole image as one in-order stream, several ranges at once when the
 * source allows it; {@link #readFully} reads one exact range into a caller's buffer, and {@link
 * #openRange} opens one as a stream, for readers that schedule ranges themselves (a chunk or a run of
 * adjacent chunks per call, from a pool of threads).
 */
public final class ImageStreams {

    /** Bytes copied at a time into a buffer without an array (a direct buffer). */
    private static final int COPY = 64 << 10;

    private ImageStreams() {}

    /**
     * The compressed bytes of {@code image}, fetched on threads of their own. Memory is bounded by
     * {@code partSize × (concurrency + 1)}. Closing the stream stops the fetch; it does not close
     * {@code image}. A failure is thrown by the read that meets it and by every later read.
     *
     * <p>Before the stream reports its end, the image's last byte is read once more, in a request of
     * its own, so that its version is checked after every other byte arrived: a store that
     * overwrites an object in place, and answers with the old version's headers while it does, is
     * caught when the overwrite completed before the read did ({@link SourceChangedException}).
     * Sources without range reads skip this.
     */
    public static InputStream open(PinnedImage image, PipelineSettings settings, ProgressListener listener) {
        requireNonNull(image, "image");
        requireNonNull(settings, "settings");
        requireNonNull(listener, "listener");
        ImageInfo info = image.info();
        int concurrency = settings.concurrency() > 0 ? settings.concurrency() : info.suggestedConcurrency();
        int partSize = settings.partSizeFor(info);
        BlockStream.EndCheck recheck = info.rangeReads() && info.length() > 0
                ? () -> readFully(image, info.length() - 1, new byte[1], 0, 1, settings.retry(), listener)
                : BlockStream.EndCheck.NONE;
        if (info.rangeReads() && concurrency > 1 && info.length() > partSize) {
            return new ParallelRangeStream(image, partSize, concurrency, settings.retry(), listener, recheck);
        }
        int block = Math.min(partSize, 1 << 20);
        int blocks = Math.max(2, partSize / block);
        // One stream: its budget is restored after every part's worth of bytes, as parallel parts are.
        return new PrefetchStream(ImageLocations.redact(info.location()), info.length(),
                new ResumingRangeStream(image, settings.retry(), partSize, listener), block, blocks, recheck);
    }

    /**
     * Reads bytes {@code [offset, offset + length)} of {@code image} into {@code b[off, off + length)}:
     * all of them, or an exception. A fault is retried under {@code retry} (attempts and time for this
     * range; bytes received are kept, the range resumes after them), each retry announced to {@code
     * listener} as {@link ProgressEvent.Retrying}. Every response is of the pinned version, or this
     * fails with {@link SourceChangedException}. Thread-safe for concurrent calls on one image; an
     * interrupt stops it ({@link InterruptedIOException}).
     *
     * @throws SourceUnavailableException when the retry budget is spent ({@link
     *     SourceThrottledException} when the source was throttling)
     * @throws IllegalArgumentException for a range outside the image or the array
     */
    public static void readFully(PinnedImage image, long offset, byte[] b, int off, int length, RetryPolicy retry,
            ProgressListener listener) throws IOException {
        requireNonNull(b, "b");
        Objects.checkFromIndexSize(off, length, b.length);
        try (InputStream in = openRange(image, offset, length, retry, listener)) {
            readFully(in, b, off, length);
        }
    }

    /**
     * Bytes {@code [offset, offset + length)} of {@code image} as a stream, retried and resumed as
     * {@link #readFully(PinnedImage, long, byte[], int, int, RetryPolicy, ProgressListener) readFully}
     * does, with one retry budget for the whole range; it ends only after its last byte. For a reader
     * that consumes one request's bytes piece by piece (the frames of adjacent chunks, say) with
     * {@link #readFully(InputStream, byte[], int, int)}. The caller closes it.
     *
     * @throws IllegalArgumentException for a range outside the image
     */
    public static InputStream openRange(PinnedImage image, long offset, long length, RetryPolicy retry,
            ProgressListener listener) {
        requireNonNull(image, "image");
        requireNonNull(retry, "retry");
        requireNonNull(listener, "listener");
        // A range is the unit of work: its budget is never restored by bytes of it.
        return new ResumingRangeStream(image, offset, offset + length, retry.budget(), Math.max(1, length) + 1,
                listener);
    }

    /**
     * Reads exactly {@code length} bytes of a stream from {@link #openRange} into {@code b[off, off +
     * length)}; an interrupt stops it ({@link InterruptedIOException}).
     */
    public static void readFully(InputStream range, byte[] b, int off, int length) throws IOException {
        requireNonNull(range, "range");
        Objects.checkFromIndexSize(off, length, b.length);
        for (int got = 0; got < length; ) {
            checkInterrupt();
            got += filled(range.read(b, off + got, length - got));
        }
    }

    /**
     * Reads bytes {@code [offset, offset + into.remaining())} of {@code image} into {@code into}, as
     * {@link #readFully(PinnedImage, long, byte[], int, int, RetryPolicy, ProgressListener)} does; on
     * return {@code into} has no bytes remaining. A heap buffer is filled in place, a direct one
     * through a small copy buffer.
     */
    public static void readFully(PinnedImage image, long offset, ByteBuffer into, RetryPolicy retry,
            ProgressListener listener) throws IOException {
        requireNonNull(into, "into");
        if (into.isReadOnly()) {
            throw new IllegalArgumentException("into is read-only");
        }
        if (into.hasArray()) {
            readFully(image, offset, into.array(), into.arrayOffset() + into.position(), into.remaining(), retry,
                    listener);
            into.position(into.limit());
            return;
        }
        byte[] copy = new byte[Math.min(COPY, Math.max(1, into.remaining()))];
        try (InputStream in = openRange(image, offset, into.remaining(), retry, listener)) {
            while (into.hasRemaining()) {
                checkInterrupt();
                int n = filled(in.read(copy, 0, Math.min(copy.length, into.remaining())));
                into.put(copy, 0, n);
            }
        }
    }

    /** A range stream ends only after its last byte; an end before it would be a bug of the base. */
    private static int filled(int n) {
        if (n < 0) {
            throw new IllegalStateException("a range stream ended before its length");
        }
        return n;
    }

    private static void checkInterrupt() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted while reading the image");
        }
    }
}
