package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.index.TrustDecision;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a completed flash did. A flash that returns one wrote the whole image, forced it to stable
 * storage and (when asked) verified it; {@link #warnings} tell what went wrong after that and did
 * not change the outcome (closing the target or the source failed).
 *
 * @param source the image read
 * @param sourceVersion the version the image was pinned to
 * @param codec the codec that decoded it
 * @param target the device or file written
 * @param geometry the target's size and block sizes
 * @param bytesRead compressed bytes read from the source
 * @param bytesWritten decoded image bytes made durable on the target (zero ranges included)
 * @param bytesZeroRanges how many of those were all-zero chunks handed to the sink's zero path
 * @param elapsed wall time from opening the source to the final force
 * @param sha256 SHA-256 (hex) of the decoded image as written; null for an indexed image flashed
 *     without {@code expectedSha256}, whose chunks were each checked against its manifest instead
 * @param warnings what failed after the image was durable, one sentence each; empty when nothing did
 * @param bytesIdentical of {@code bytesWritten}, image bytes the target already held and that were
 *     neither fetched nor written again (the delta check of an indexed image)
 * @param chunks what was done with each chunk of an indexed image; null for a plain image
 * @param trust which trust an indexed image's manifest had, decided before the first write; null
 *     for a plain image
 */
public record FlashResult(
        URI source,
        String sourceVersion,
        String codec,
        Path target,
        TargetGeometry geometry,
        long bytesRead,
        long bytesWritten,
        long bytesZeroRanges,
        Duration elapsed,
        String sha256,
        List<String> warnings,
        long bytesIdentical,
        ChunkCounts chunks,
        TrustDecision trust) {

    public FlashResult {
        requireNonNull(geometry, "geometry");
        warnings = List.copyOf(warnings);
    }

    /** The result of a plain (not indexed) image's flash. */
    public FlashResult(URI source, String sourceVersion, String codec, Path target, TargetGeometry geometry,
            long bytesRead, long bytesWritten, long bytesZeroRanges, Duration elapsed, String sha256,
            List<String> warnings) {
        this(source, sourceVersion, codec, target, geometry, bytesRead, bytesWritten, bytesZeroRanges, elapsed, sha256,
                warnings, 0, null, null);
    }

    /** With the source redacted ({@link ImageLocations#redact}): records are printed in logs. */
    @Override
    public String toString() {
        return "FlashResult[source=" + ImageLocations.redact(source) + ", sourceVersion=" + sourceVersion + ", codec="
                + codec + ", target=" + target + ", bytesRead=" + bytesRead + ", bytesWritten=" + bytesWritten
                + ", bytesZeroRanges=" + bytesZeroRanges + ", bytesIdentical=" + bytesIdentical + ", chunks=" + chunks
                + ", trust=" + (trust == null ? null : trust.kind()) + ", elapsed=" + elapsed + ", sha256=" + sha256
                + "]";
    }

    /** Decoded image throughput in MB/s (10^6 bytes per second). */
    public double megabytesPerSecond() {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return bytesWritten / seconds / 1e6;
    }

    /**
     * Image bytes in the last logical block when the image ends inside one (0 when it ends on a
     * block boundary). That block was read, its first bytes replaced by the image's and written
     * whole; the rest of it kept what it held.
     */
    public int partialBlockBytes() {
        return (int) (bytesWritten % geometry.logicalBlockSize());
    }
}
