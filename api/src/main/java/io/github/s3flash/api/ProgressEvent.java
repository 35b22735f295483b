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

    /** The first byte is about to be written: the point of no return. */
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

    /** A read failed and is being retried from {@code offset} after {@code delay}. */
    record Retrying(long offset, int attempt, Duration delay, String cause) implements ProgressEvent {}

    /** Everything is written, forced to stable storage and verified. */
    record Finished(FlashResult result) implements ProgressEvent {}
}
