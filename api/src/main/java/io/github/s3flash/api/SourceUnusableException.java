package io.github.s3flash.api;

/**
 * The source answered, but not in a way a flash can use: an unexpected status, a store that
 * ignores range requests or answers another range than the one asked for, an object that cannot be
 * pinned to one version, an untrusted TLS certificate, a redirect loop. Retrying the same request
 * does not help; the message says what to change (the URL, the server, an option).
 */
public final class SourceUnusableException extends FlashException {
    private static final long serialVersionUID = 1L;

    public SourceUnusableException(String message) {
        super(message);
    }

    public SourceUnusableException(String message, Throwable cause) {
        super(message, cause);
    }
}
