package io.github.s3flash.codec.lz4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Constants and header parsing of the LZ4 frame format (lz4_Frame_format.md) and the legacy format. */
final class Lz4Format {

    static final int FRAME_MAGIC = 0x184D2204;
    static final int LEGACY_MAGIC = 0x184C2102;
    /** Skippable frames have magic numbers 0x184D2A50 to 0x184D2A5F (shared with Zstandard). */
    static final int SKIPPABLE_MASK = 0xFFFFFFF0;
    static final int SKIPPABLE_MAGIC = 0x184D2A50;

    /** The legacy format's fixed block size: each block decodes to at most 8 MiB. */
    static final int LEGACY_BLOCK_SIZE = 8 << 20;
    /** A legacy block header larger than this is the magic number of the next frame, as the CLI reads it. */
    static final int LEGACY_MAX_COMPRESSED = LEGACY_BLOCK_SIZE + LEGACY_BLOCK_SIZE / 255 + 16;

    /** Linked blocks may refer back this far into earlier blocks of the frame. */
    static final int WINDOW = 64 << 10;

    static final int FLG_VERSION_MASK = 0xC0;
    static final int FLG_VERSION = 0x40;
    static final int FLG_INDEPENDENT = 0x20;
    static final int FLG_BLOCK_CHECKSUM = 0x10;
    static final int FLG_CONTENT_SIZE = 0x08;
    static final int FLG_CONTENT_CHECKSUM = 0x04;
    static final int FLG_RESERVED = 0x02;
    static final int FLG_DICT_ID = 0x01;

    static final int UNCOMPRESSED_BIT = 0x80000000;

    private Lz4Format() {}

    static boolean isSkippable(int magic) {
        return (magic & SKIPPABLE_MASK) == SKIPPABLE_MAGIC;
    }

    /** Block maximum size for a BD byte's block size id (4 to 7), or -1 when the id is invalid. */
    static int blockMaxSize(int id) {
        return id >= 4 && id <= 7 ? 1 << (8 + 2 * id) : -1;
    }

    /** The block size id (4 to 7) for a block size of 64 KiB, 256 KiB, 1 MiB or 4 MiB, else -1. */
    static int blockSizeId(long size) {
        for (int id = 4; id <= 7; id++) {
            if (blockMaxSize(id) == size) {
                return id;
            }
        }
        return -1;
    }

    static int intLE(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    static long longLE(byte[] b, int off) {
        return (intLE(b, off) & 0xFFFFFFFFL) | (long) intLE(b, off + 4) << 32;
    }

    static void putIntLE(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /**
     * Where the first frame that is not skippable starts in {@code head}, or -1 when it lies beyond
     * the head (or the head ends inside a skippable frame's header).
     */
    static int firstDataFrame(ByteBuffer head) {
        ByteBuffer h = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = h.position();
        long at = 0;
        while (at + 4 <= h.remaining()) {
            int magic = h.getInt(base + (int) at);
            if (!isSkippable(magic)) {
                return (int) at;
            }
            if (at + 8 > h.remaining()) {
                return -1;
            }
            at += 8 + (h.getInt(base + (int) at + 4) & 0xFFFFFFFFL);
        }
        return -1;
    }
}
