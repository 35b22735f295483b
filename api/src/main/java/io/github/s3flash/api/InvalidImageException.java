package io.github.s3flash.api;

/**
 * The image is well-formed but cannot be flashed onto this target as it is (for example its size is
 * not a multiple of the target's logical block size).
 */
public final class InvalidImageException extends FlashException {
    private static final long serialVersionUID = 1L;

    public InvalidImageException(String message) {
        super(message);
    }
}
