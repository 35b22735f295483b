package io.github.s3flash.api.internal;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.RangeInputStream;
import io.github.s3flash.api.RetryBudget;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.SourceThrottledException;
import io.github.s3flash.api.SourceUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * One stream over a range of the image that survives faults: on a retryable error it waits (back-off
 * with jitter) and reopens the range at the first byte not yet received. Every source stream is read
 * through a {@link RangeInputStream}, so a range cut short is such a fault too.
 *
 * <p>The retry budget is restored only when {@code unit} more bytes have arrived since it last was
 * (a whole part): a source that trickles a byte between failures runs out of it. Sources without
 * range reads can only be retried before their first byte.
 */
public final class ResumingRangeStream extends RangeInputStream {

    private final PinnedImage image;
    private final ProgressListener listener;
    private final RetryBudget budget;
    private final long start;
    private final long unit;
    private final String location;
    private long restoredAt;
    private InputStream current;

    /**
     * Bytes {@code [start, end)}; {@code end} is -1 for "to the end" on a source of unknown length.
     *
     * @param unit bytes that must arrive before the retry budget is restored (at least 1)
     */
    public ResumingRangeStream(PinnedImage image, long start, long end, RetryBudget budget, long unit,
            ProgressListener listener) {
        super(describe(image.info(), start, end), end < 0 ? -1 : end - start);
        if (unit < 1) {
            throw new IllegalArgumentException("unit must be >= 1: " + unit);
        }
        image.info().rangeEnd(start, end < 0 ? -1 : end - start);
        this.image = image;
        this.budget = budget;
        this.unit = unit;
        this.listener = listener;
        this.start = start;
        this.location = ImageLocations.redact(image.info().location());
    }

    /** The whole image, with a budget of {@code retry} restored every {@code unit} bytes. */
    public ResumingRangeStream(PinnedImage image, RetryPolicy retry, long unit, ProgressListener listener) {
        this(image, 0, image.info().length(), retry.budget(), unit, listener);
    }

    private static String describe(ImageInfo info, long start, long end) {
        return ImageLocations.redact(info.location()) + " bytes " + start + "-" + (end < 0 ? "" : end - 1);
    }

    @Override
    protected int readUpstream(byte[] b, int off, int len) throws IOException {
        while (true) {
            long offset = start + position();
            try {
                if (current == null) {
                    long left = length() < 0 ? -1 : length() - position();
                    current = RangeInputStream.of(describe(image.info(), offset, left < 0 ? -1 : offset + left), left,
                            image.openRange(offset, left));
                }
                int n = current.read(b, off, len);
                if (n > 0 && position() + n - restoredAt >= unit) {
                    budget.restart();
                    restoredAt = position() + n;
                }
                return n;
            } catch (IOException | RuntimeException e) {
                closeCurrent();
                IOException failure = e instanceof IOException io ? io
                        : e.getCause() instanceof IOException io ? io : null;
                if (failure == null) {
                    throw (RuntimeException) e;
                }
                String doing = "reading " + location + " at byte offset " + offset;
                Duration delay = budget.failed(failure, doing);
                if (!image.info().rangeReads() && offset > 0) {
                    throw new SourceUnavailableException(doing + " failed and the source cannot resume (no range"
                            + " reads): " + failure.getMessage() + "; flash again", failure);
                }
                Pipeline.notify(listener, new ProgressEvent.Retrying(offset, budget.attempts(), delay,
                        String.valueOf(failure.getMessage()), failure instanceof SourceThrottledException));
                budget.pause(delay, doing);
            }
        }
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
    protected void release(boolean complete) {
        closeCurrent();
    }
}
