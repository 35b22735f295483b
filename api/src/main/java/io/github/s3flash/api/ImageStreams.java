package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.internal.ParallelRangeStream;
import io.github.s3flash.api.internal.PrefetchStream;
import io.github.s3flash.api.internal.ResumingRangeStream;
import java.io.InputStream;

/**
 * Reads a whole {@link PinnedImage} as one in-order stream, the way the pipeline does: several
 * ranges at once when the source allows it, each retried with back-off and resumed from the last
 * byte received, all of the pinned version. Memory is bounded by {@code partSize × (concurrency +
 * 1)}. Every source provider gets this for free by implementing {@link PinnedImage#openRange}.
 */
public final class ImageStreams {

    private ImageStreams() {}

    /**
     * The compressed bytes of {@code image}, fetched on threads of their own. Closing the stream
     * stops the fetch; it does not close {@code image}.
     */
    public static InputStream open(PinnedImage image, PipelineSettings settings, ProgressListener listener) {
        requireNonNull(image, "image");
        requireNonNull(settings, "settings");
        requireNonNull(listener, "listener");
        ImageInfo info = image.info();
        int concurrency = settings.concurrency() > 0 ? settings.concurrency() : info.suggestedConcurrency();
        int partSize = settings.partSizeFor(info);
        if (info.rangeReads() && concurrency > 1 && info.length() > partSize) {
            return new ParallelRangeStream(image, partSize, concurrency, settings.retry(), listener);
        }
        int block = Math.min(partSize, 1 << 20);
        int blocks = Math.max(2, partSize / block);
        return new PrefetchStream(new ResumingRangeStream(image, settings.retry(), listener), block, blocks);
    }
}
