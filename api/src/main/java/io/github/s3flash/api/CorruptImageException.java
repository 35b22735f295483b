package io.github.s3flash.api;

import java.net.URI;

/**
 * The compressed stream is malformed or truncated, or a checksum inside it does not match. Carries
 * the byte offset in the compressed stream where decoding stopped (or {@code -1} when a decoder
 * cannot tell).
 */
public final class CorruptImageException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public CorruptImageException(String message, long offset) {
        this(message, offset, null);
    }

    public CorruptImageException(String message, long offset, Throwable cause) {
        super(message + (offset >= 0 ? " (at compressed byte offset " + offset + ")" : ""), cause);
        this.offset = offset;
    }

    /** Byte offset in the compressed stream where the problem was found, or {@code -1}. */
    public long offset() {
        return offset;
    }

    /** The same error, with the image's location named so the operator knows which object is bad. */
    public CorruptImageException in(URI image) {
        String base = getMessage().replaceFirst(" \\(at compressed byte offset -?\\d+\\)$", "");
        return new CorruptImageException(
                "corrupt image " + ImageLocations.redact(image) + ": " + base + "; re-create or re-upload the image",
                offset,
                getCause() == null ? this : getCause());
    }
}
