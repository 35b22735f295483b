package io.github.s3flash.api;

import java.time.Duration;

/** What a running flash reports, in order: Started, WritingStarted, Progress (many), Finished. */
public sealed interface ProgressEvent {

    /**
     * The image is open, its codec chosen and the target checked; nothing has been written yet.
     *
     * @param decodedLength the image's decoded length when known before decoding, else -1
     */
    record Started(ImageInfo image, String codec, java.nio.file.Path target, TargetGeometry geometry,
            long decodedLength) implements ProgressEvent {}

    /**
     * The target accepted the flash's first write: the point of no return is behind, and the target
     * no longer holds its old contents. Never sent when that first write was refused ({@link
     * WriteRefusedException}): then nothing was written.
     */
    record WritingStarted(long offset) implements ProgressEvent {}

    /**
     * A chunk has been written.
     *
     * @param bytesRead compressed bytes read so far
     * @param bytesWritten image bytes written so far
     * @param compressedLength the compressed total, or -1 when unknown
     * @param decodedLength the decoded total, or -1 when unknown
     */
    record Progress(long bytesRead, long bytesWritten, long compressedLength, long decodedLength,
            Duration elapsed) implements ProgressEvent {}

    /**
     * A read failed and is being retried from {@code offset} after {@code delay}.
     *
     * @param throttled whether the source was throttling ({@link SourceThrottledException}: SlowDown,
     *     429, 503), which a reader may answer with fewer requests at once
     */
    record Retrying(long offset, int attempt, Duration delay, String cause, boolean throttled)
            implements ProgressEvent {

        /** A retry after a failure that was not throttling. */
        public Retrying(long offset, int attempt, Duration delay, String cause) {
            this(offset, attempt, delay, cause, false);
        }
    }

    /** Everything is written, forced to stable storage and verified (the result may carry warnings). */
    record Finished(FlashResult result) implements ProgressEvent {}
}
