package io.github.s3flash.api.internal;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.SourceUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * One stream over a range of the image that survives faults: on a retryable error it waits (back-off
 * with jitter) and reopens the range at the first byte not yet received. Sources without range reads
 * can only be retried before their first byte.
 */
public final class ResumingRangeStream extends InputStream {

    private final PinnedImage image;
    private final RetryPolicy retry;
    private final ProgressListener listener;
    private final long end;
    private long position;
    private InputStream current;
    private int attempts;
    private boolean closed;

    public ResumingRangeStream(PinnedImage image, RetryPolicy retry, ProgressListener listener) {
        this(image, 0, image.info().length(), retry, listener);
    }

    /** Bytes {@code [start, end)}; {@code end} is -1 for "to the end" on a source of unknown length. */
    public ResumingRangeStream(PinnedImage image, long start, long end, RetryPolicy retry, ProgressListener listener) {
        this.image = image;
        this.retry = retry;
        this.listener = listener;
        this.position = start;
        this.end = end;
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
        while (true) {
            if (closed) {
                throw new IOException("stream closed");
            }
            if (end >= 0 && position >= end) {
                return -1;
            }
            try {
                if (current == null) {
                    current = image.openRange(position, end < 0 ? -1 : end - position);
                }
                int want = end < 0 ? len : (int) Math.min(len, end - position);
                int n = current.read(b, off, want);
                if (n > 0) {
                    position += n;
                    attempts = 0;
                    return n;
                }
                if (n < 0) {
                    if (end < 0) {
                        return -1;
                    }
                    throw new IOException("connection ended at byte " + position + " of " + end);
                }
            } catch (IOException | RuntimeException e) {
                closeCurrent();
                if (e instanceof RuntimeException re && !(re.getCause() instanceof IOException)) {
                    throw re;
                }
                backOff(e);
            }
        }
    }

    private void backOff(Exception failure) throws IOException {
        Throwable cause = failure instanceof RuntimeException && failure.getCause() != null ? failure.getCause() : failure;
        ImageInfo info = image.info();
        if (!RetryPolicy.isRetryable(cause)) {
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
        if (!info.rangeReads() && position > 0) {
            throw new SourceUnavailableException("reading " + ImageLocations.redact(info.location()) + " failed at byte " + position
                    + " and the source cannot resume (no range reads): " + cause.getMessage(), cause);
        }
        attempts++;
        if (attempts >= retry.maxAttempts()) {
            throw giveUp(info, position, attempts, cause);
        }
        var delay = retry.delay(attempts);
        Pipeline.notify(listener, new ProgressEvent.Retrying(position, attempts, delay, String.valueOf(cause.getMessage())));
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry " + ImageLocations.redact(info.location()));
        }
    }

    static FlashException giveUp(ImageInfo info, long position, int attempts, Throwable cause) {
        if (cause instanceof FlashException fe && !fe.retryable()) {
            return fe;
        }
        return new SourceUnavailableException("gave up reading " + ImageLocations.redact(info.location()) + " at byte offset " + position
                + " after " + attempts + " attempts: " + cause.getMessage()
                + "; check the network and the object store, then flash again", cause);
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException | RuntimeException ignored) {
                // The stream already failed; its close error adds nothing.
            }
            current = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        closeCurrent();
    }
}
