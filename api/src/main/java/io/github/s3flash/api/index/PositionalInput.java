package io.github.s3flash.api.index;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;

/**
 * An image input that can be read at any offset, by several threads at once: a file or a block
 * device. Implemented by the {@link java.io.InputStream} given to {@link IndexedImageWriter}, whose
 * threads then each take the chunks they compress straight from the input, instead of one thread
 * reading the whole image in turn (on a fast disk or the page cache, that one thread's copying was
 * what a create waited for). The stream itself is then not read. A pipe cannot do this and does not
 * implement it.
 */
public interface PositionalInput {

    /** The image's length in bytes, fixed while the image is written. */
    long length() throws IOException;

    /**
     * The {@code length} bytes at {@code offset} (from the image's first byte), from position to
     * limit of the buffer returned, valid until {@code arena} is closed and only read by the caller.
     * A file may map its pages ({@link java.nio.channels.FileChannel#map(java.nio.channels.FileChannel.MapMode,
     * long, long, Arena)}), so the bytes are not copied by the kernel at all; other inputs may read
     * them into memory of {@code arena}. Called from several threads at once, for distinct ranges,
     * each with its own arena.
     *
     * @throws java.io.EOFException when the input ends before {@code offset + length}
     */
    ByteBuffer bytes(long offset, int length, Arena arena) throws IOException;
}
