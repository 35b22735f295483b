package io.github.s3flash.api;

/**
 * A transient fault reading the image: a 5xx, throttling, a reset or timed-out connection. Retried
 * with back-off; after the retry budget it reaches the caller naming the image and the last cause.
 */
public final class SourceUnavailableException extends FlashException {
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
