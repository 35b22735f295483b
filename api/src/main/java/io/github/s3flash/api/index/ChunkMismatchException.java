package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.FlashException;

/**
 * A chunk's frame is not what the manifest says: it does not decode, decodes to the wrong number of
 * bytes, or its decoded bytes have another SHA-256. The message names the chunk by index, image
 * offsets and object offsets. A flaky network or proxy can cause it, so fetching the chunk again may
 * help; a chunk that never matches must never be written.
 */
public final class ChunkMismatchException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final transient Chunk chunk;

    public ChunkMismatchException(String message, Chunk chunk, Throwable cause) {
        super(message, cause);
        this.chunk = requireNonNull(chunk, "chunk");
    }

    /** The chunk that does not match. */
    public Chunk chunk() {
        return chunk;
    }
}
