package io.github.s3flash.api.index;

import java.io.IOException;

/**
 * An image input that can be read at any offset, by several threads at once: a file or a block
 * device. Implemented by the {@link java.io.InputStream} given to {@link IndexedImageWriter}, whose
 * threads then each read the chunks they compress, instead of one thread reading the whole image in
 * turn (on a fast disk or the page cache, that one thread's copying was what a create waited for).
 * The stream itself is then not read. A pipe cannot do this and does not implement it.
 */
public interface PositionalInput {

    /** The image's length in bytes, fixed while the image is written. */
    long length() throws IOException;

    /**
     * Reads exactly {@code length} bytes at {@code offset} (from the image's first byte) into the
     * start of {@code into}. Called from several threads at once, for distinct ranges.
     *
     * @throws java.io.EOFException when the input ends before {@code offset + length}
     */
    void readFully(long offset, byte[] into, int length) throws IOException;
}
