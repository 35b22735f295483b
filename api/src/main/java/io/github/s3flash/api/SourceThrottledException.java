package io.github.s3flash.api;

/**
 * The source asked for fewer or slower requests: HTTP 429, a 503, S3's {@code SlowDown}, GCS's
 * {@code rateLimitExceeded}. Retryable like any {@link SourceUnavailableException}; a reader that
 * runs several requests at once may also take it as a sign to run fewer.
 */
public final class SourceThrottledException extends SourceUnavailableException {
    private static final long serialVersionUID = 1L;

    public SourceThrottledException(String message) {
        super(message);
    }

    public SourceThrottledException(String message, Throwable cause) {
        super(message, cause);
    }
}
