package io.github.s3flash.api;

/**
 * The image exists (or may exist) but the credentials in use may not read it (HTTP 401/403, file
 * permissions). The message names which credentials were used, never their secret.
 */
public final class ImageAccessDeniedException extends FlashException {
    private static final long serialVersionUID = 1L;

    public ImageAccessDeniedException(String message) {
        super(message);
    }

    public ImageAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
