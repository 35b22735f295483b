package io.github.s3flash.api;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a completed flash did.
 *
 * @param source the image read
 * @param sourceVersion the version the image was pinned to
 * @param codec the codec that decoded it
 * @param target the device or file written
 * @param bytesRead compressed bytes read from the source
 * @param bytesWritten decoded image bytes made durable on the target (zero ranges included)
 * @param bytesZeroRanges how many of those were all-zero chunks handed to the sink's zero path
 * @param elapsed wall time from opening the source to the final force
 * @param sha256 SHA-256 (hex) of the decoded image as written
 */
public record FlashResult(
        URI source,
        String sourceVersion,
        String codec,
        Path target,
        long bytesRead,
        long bytesWritten,
        long bytesZeroRanges,
        Duration elapsed,
        String sha256) {

    /** With the source redacted ({@link ImageLocations#redact}): records are printed in logs. */
    @Override
    public String toString() {
        return "FlashResult[source=" + ImageLocations.redact(source) + ", sourceVersion=" + sourceVersion + ", codec="
                + codec + ", target=" + target + ", bytesRead=" + bytesRead + ", bytesWritten=" + bytesWritten
                + ", bytesZeroRanges=" + bytesZeroRanges + ", elapsed=" + elapsed + ", sha256=" + sha256 + "]";
    }

    /** Decoded image throughput in MB/s (10^6 bytes per second). */
    public double megabytesPerSecond() {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return bytesWritten / seconds / 1e6;
    }
}
