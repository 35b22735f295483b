package io.github.s3flash.bootloader.report;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.VerificationFailedException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Listens to a flash and remembers what a final report needs, so that a report can be made however
 * the flash ends: from the result when it succeeded, else from the events seen before it failed.
 * Times count from this recorder's creation (the start of the command). Thread-safe: the pipeline's
 * threads deliver the events.
 */
public final class FlashReportRecorder implements ProgressListener {

    private final LongSupplier nanoClock;
    private final long start;
    private ProgressEvent.Started started;
    private long firstByte = -1;
    private long bytesRead;
    private long bytesWritten;
    private FlashResult result;

    public FlashReportRecorder() {
        this(System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds (tests pass their own) */
    public FlashReportRecorder(LongSupplier nanoClock) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        this.start = nanoClock.getAsLong();
    }

    @Override
    public synchronized void onEvent(ProgressEvent event) {
        switch (event) {
            case ProgressEvent.Started s -> started = s;
            case ProgressEvent.WritingStarted w -> {
                if (firstByte < 0) {
                    firstByte = nanoClock.getAsLong();
                }
            }
            case ProgressEvent.Progress p -> {
                bytesRead = Math.max(bytesRead, p.bytesRead());
                bytesWritten = Math.max(bytesWritten, p.bytesWritten());
            }
            case ProgressEvent.Retrying r -> { }
            case ProgressEvent.Finished f -> result = f.result();
        }
    }

    /**
     * The report of the flash as it ended now.
     *
     * @param outcome the outcome's name (see {@link FlashReport#outcome()})
     * @param exitCode the command's exit code
     * @param error why it failed, or null when it did not
     * @param source the image asked for, or null when it could not be parsed
     * @param target the target asked for, or null when not known
     * @param expectedSha256 the SHA-256 the operator gave, or null
     */
    public synchronized FlashReport report(String outcome, int exitCode, Throwable error, URI source, Path target,
            String expectedSha256) {
        requireNonNull(outcome, "outcome");
        long now = nanoClock.getAsLong();
        long written = result != null ? result.bytesWritten() : bytesWritten;
        if (error instanceof FlashAbortedException aborted) {
            written = Math.max(written, aborted.bytesWritten());
        }
        String sha256 = result != null ? result.sha256()
                : error instanceof VerificationFailedException v ? v.actual() : null;
        URI shownSource = result != null ? result.source() : started != null ? started.image().location() : source;
        return new FlashReport(outcome, exitCode, describe(error),
                shownSource == null ? null : ImageLocations.redact(shownSource),
                target == null ? null : target.toString(),
                result != null ? result.sourceVersion() : started != null ? started.image().version() : null,
                result != null ? result.codec() : started != null ? started.codec() : null,
                trust(result, expectedSha256),
                started != null && started.decodedLength() >= 0 ? started.decodedLength() : null,
                started != null && started.image().lengthKnown() ? started.image().length() : null,
                written,
                result != null ? result.bytesZeroRanges() : null,
                result != null && result.chunks() != null ? result.bytesIdentical() : null,
                result != null ? result.bytesRead() : bytesRead,
                firstByte < 0 ? null : Duration.ofNanos(firstByte - start),
                Duration.ofNanos(now - start),
                sha256,
                firstByte >= 0,
                result != null && result.trust() != null ? result.trust().detail() : null,
                result != null ? result.chunks() : null,
                result != null ? result.warnings() : List.of());
    }

    /** The trust's name in reports: how an indexed image was trusted, else whether a SHA-256 was given. */
    public static String trust(FlashResult result, String expectedSha256) {
        if (result != null && result.trust() != null) {
            return switch (result.trust().kind()) {
                case SIGNATURE -> "signature";
                case IMAGE_DIGEST -> "image-digest";
                case IMAGE_SHA256 -> "sha256";
                case NONE -> "none";
            };
        }
        return expectedSha256 == null ? null : "sha256";
    }

    private static String describe(Throwable error) {
        if (error == null) {
            return null;
        }
        return error instanceof FlashException || error instanceof IllegalArgumentException ? error.getMessage()
                : error.toString();
    }
}
