package io.github.s3flash.api;

/**
 * A transient fault reading the image: a 5xx, a reset or timed-out connection, a range cut short.
 * Retried with back-off; after the retry budget it reaches the caller naming the image and the last
 * cause. {@link SourceThrottledException} is the kind that asks the reader to slow down.
 */
public sealed class SourceUnavailableException extends FlashException permits SourceThrottledException {
    private static final long serialVersionUID = 1L;

    public SourceUnavailableException(String message) {
        super(message);
    }

    public SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
