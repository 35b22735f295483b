package io.github.s3flash.api;

import java.io.IOException;

/**
 * Root of the checked error hierarchy: everything the world can do to a flash (a missing image, a
 * corrupt stream, a busy disk, a network fault) ends in a subclass of this. Messages say what was
 * wrong, where (URI, path, byte offset) and what to do about it.
 */
public class FlashException extends IOException {
    private static final long serialVersionUID = 1L;

    public FlashException(String message) {
        super(message);
    }

    public FlashException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether trying the same operation again may succeed (a network fault, throttling, a device that
     * has not appeared yet). Retry loops consult this; permanent refusals answer {@code false}.
     */
    public boolean retryable() {
        return false;
    }
}
