package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * What a source knows about an opened image before any byte is read.
 *
 * @param location the image's URI
 * @param length compressed length in bytes, or {@code -1} when the source cannot tell
 * @param version the version this image is pinned to (ETag, generation, version id, or a file's
 *     modification time and inode); every read returns bytes of this version only
 * @param rangeReads whether reads may start at any offset (which allows parallel ranged reads and
 *     resuming after a fault); when false only one stream from offset 0 can be read
 * @param suggestedConcurrency how many ranges the source suggests reading at once (1 reads one
 *     stream); the {@code read.concurrency} option overrides it
 * @param suggestedPartSize bytes per range the source suggests, or 0 for the pipeline's default;
 *     the {@code read.part-size} option overrides it
 */
public record ImageInfo(URI location, long length, String version, boolean rangeReads, int suggestedConcurrency,
        int suggestedPartSize) {

    /** An image without a part-size suggestion. */
    public ImageInfo(URI location, long length, String version, boolean rangeReads, int suggestedConcurrency) {
        this(location, length, version, rangeReads, suggestedConcurrency, 0);
    }

    public ImageInfo {
        requireNonNull(location, "location");
        requireNonNull(version, "version");
        if (length < -1) {
            throw new IllegalArgumentException("length must be -1 (unknown) or >= 0: " + length);
        }
        if (suggestedConcurrency < 1) {
            throw new IllegalArgumentException("suggestedConcurrency must be >= 1: " + suggestedConcurrency);
        }
        if (suggestedPartSize < 0) {
            throw new IllegalArgumentException("suggestedPartSize must be >= 0: " + suggestedPartSize);
        }
        if (rangeReads && length < 0) {
            throw new IllegalArgumentException("range reads need a known length");
        }
    }

    /** With the location redacted ({@link ImageLocations#redact}): records are printed in logs. */
    @Override
    public String toString() {
        return "ImageInfo[location=" + ImageLocations.redact(location) + ", length=" + length + ", version=" + version
                + ", rangeReads=" + rangeReads + ", suggestedConcurrency=" + suggestedConcurrency
                + ", suggestedPartSize=" + suggestedPartSize + "]";
    }

    public boolean lengthKnown() {
        return length >= 0;
    }

    /**
     * The end of the range a {@link PinnedImage#openRange} call asks for ({@code length} -1 meaning to
     * the end, which is -1 too when the image's length is unknown), checked to lie inside the image.
     *
     * @throws IllegalArgumentException for a range outside the image (a caller's bug)
     */
    public long rangeEnd(long offset, long length) {
        long end = length < 0 ? this.length : offset + length;
        if (offset < 0 || length < -1 || (lengthKnown() && (end > this.length || offset > end))) {
            throw new IllegalArgumentException("range at " + offset + " of length " + length + " outside image of "
                    + this.length + " bytes");
        }
        return end;
    }
}
