package io.github.s3flash.api;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An opened image, pinned to one version. Any number of ranges may be read concurrently; every range
 * returns bytes of the pinned version or fails with {@link SourceChangedException}, so a flash never
 * mixes two versions.
 *
 * <p>Thread-safe. Closing releases connections and clients; ranges still open may fail afterwards.
 */
public interface PinnedImage extends Closeable {

    ImageInfo info();

    /**
     * Opens a stream of bytes {@code [offset, offset + length)} of the pinned version, or to the end
     * when {@code length} is {@code -1}. When {@link ImageInfo#rangeReads()} is false only {@code
     * offset == 0} is allowed. A stream that ends before {@code length} bytes is a fault (the
     * reader retries and resumes), never a short image; a {@link RangeInputStream} over the
     * client's body keeps that rule and the others every image stream follows.
     *
     * <p>Every answer the source gets must be checked against the pin, not only ask for it: many
     * stores and proxies ignore preconditions. An answer of another version is a {@link
     * SourceChangedException}; one that cannot be checked (it names no version) a {@link
     * SourceUnusableException}. {@link SourceRequest} maps error statuses the same way for every
     * source.
     *
     * @throws SourceChangedException if the image no longer has the pinned version
     */
    InputStream openRange(long offset, long length) throws IOException;
}
