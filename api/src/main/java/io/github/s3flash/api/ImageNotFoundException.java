package io.github.s3flash.api;

/** The image does not exist at the given location (no such file, HTTP/S3 404). */
public final class ImageNotFoundException extends FlashException {
    private static final long serialVersionUID = 1L;

    public ImageNotFoundException(String message) {
        super(message);
    }

    public ImageNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
