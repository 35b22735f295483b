package io.github.s3flash.api;

/**
 * The image was replaced while it was being read: its version (ETag, generation, version id,
 * modification time) no longer matches the one pinned when the flash began. Bytes of two versions
 * are never mixed; start the flash again to take the new version.
 */
public final class SourceChangedException extends FlashException {
    private static final long serialVersionUID = 1L;

    public SourceChangedException(String message) {
        super(message);
    }

    public SourceChangedException(String message, Throwable cause) {
        super(message, cause);
    }
}
