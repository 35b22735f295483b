package io.github.s3flash.api.index;

import java.io.IOException;

/**
 * An image input that knows where its holes are: ranges that read as zeros without being stored,
 * as in a sparse file. Implemented by the {@link java.io.InputStream} given to {@link
 * IndexedImageWriter}, which then records a chunk lying wholly in a hole as all zeros without
 * reading it (it skips those bytes), as bmaptool copies only a sparse image's data. An input that
 * cannot tell where its holes are does not implement this.
 */
public interface SparseInput {

    /** The image's length in bytes. */
    long length() throws IOException;

    /**
     * The first offset at or after {@code offset} (from the image's first byte) that may hold data;
     * {@link #length()} or more when only a hole follows. Answering {@code offset} is always correct.
     */
    long dataFrom(long offset) throws IOException;
}
