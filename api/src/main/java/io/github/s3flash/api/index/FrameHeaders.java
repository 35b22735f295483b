package io.github.s3flash.api.index;

import static io.github.s3flash.api.index.IndexFormat.intLE;

/**
 * Checks the head of a chunk's frame against the format's rules before a decoder sees it: a zstd frame
 * names its window size in its header, and a decoder allocates that much before producing a byte, so a
 * hostile frame could otherwise ask for 2 GiB per chunk before its hash is ever compared. A chunk's
 * frame must be of the image's codec, without a dictionary, with a window no larger than the chunk
 * size, and with the chunk's length as its content size. (An LZ4 frame's memory is bounded by its
 * block size, 4 MiB at most, so LZ4 frames need no such check.)
 */
final class FrameHeaders {

    /** A zstd frame header's largest size: magic, descriptor, window, dictionary id, content size. */
    static final int ZSTD_HEADER_MAX = 4 + 1 + 1 + 4 + 8;

    private static final int ZSTD_MAGIC = 0xFD2FB528;

    private FrameHeaders() {}

    /**
     * Why {@code head} (the first bytes of chunk {@code chunk}'s frame, at most {@link
     * #ZSTD_HEADER_MAX}) is not an acceptable zstd frame for a chunk of an image with {@code chunkSize}
     * chunks, or null when it is.
     */
    static String zstdProblem(byte[] head, int length, Chunk chunk, int chunkSize) {
        if (length < 6 || intLE(head, 0) != ZSTD_MAGIC) {
            return "its frame does not start with a Zstandard frame header";
        }
        int descriptor = head[4] & 0xFF;
        int sizeFlag = descriptor >>> 6;
        boolean singleSegment = (descriptor & 0x20) != 0;
        if ((descriptor & 0x08) != 0) {
            return "its zstd frame header sets the reserved bit";
        }
        if ((descriptor & 0x03) != 0) {
            return "its zstd frame names a dictionary, which chunk frames must not use";
        }
        int at = 5;
        long window = -1;
        if (!singleSegment) {
            int w = head[at++] & 0xFF;
            long base = 1L << (10 + (w >>> 3));
            window = base + (base >>> 3) * (w & 7);
        }
        int sizeBytes = switch (sizeFlag) {
            case 0 -> singleSegment ? 1 : 0;
            case 1 -> 2;
            case 2 -> 4;
            default -> 8;
        };
        if (sizeBytes == 0) {
            return "its zstd frame does not record its content size";
        }
        if (at + sizeBytes > length) {
            return "its zstd frame header is cut short";
        }
        long content = 0;
        for (int i = sizeBytes - 1; i >= 0; i--) {
            content = content << 8 | (head[at + i] & 0xFF);
        }
        if (sizeBytes == 2) {
            content += 256;
        }
        if (content != chunk.length()) {
            return "its zstd frame records a content size of " + Long.toUnsignedString(content) + " bytes, not "
                    + chunk.length();
        }
        if (window > chunkSize) {
            return "its zstd frame asks for a " + window + "-byte window, more than the chunk size " + chunkSize;
        }
        return null;
    }
}
