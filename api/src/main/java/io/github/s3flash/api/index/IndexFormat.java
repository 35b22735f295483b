package io.github.s3flash.api.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The constants and limits of the indexed image format, version 1 (docs/image-format.md). Every
 * number here is part of the format: changing one is a new format version.
 */
final class IndexFormat {

    private IndexFormat() {}

    /** The skippable frame magic of s3flash's frames (LZ4 and Zstandard skip 0x184D2A50 to 0x184D2A5F). */
    static final int SKIPPABLE_MAGIC = 0x184D2A53;
    static final int SKIPPABLE_MASK = 0xFFFFFFF0;
    static final int FRAME_HEADER = 8;

    static final int VERSION = 1;

    /** The first frame of every indexed image: a skippable frame holding only this tag. */
    static final byte[] HEAD_TAG = "S3FL-IDX".getBytes(StandardCharsets.US_ASCII);
    static final int HEAD_FRAME = FRAME_HEADER + 8;

    static final byte[] MANIFEST_TAG = "S3FL-MAN".getBytes(StandardCharsets.US_ASCII);
    static final int MANIFEST_HEADER = 64;
    static final int RECORD = 48;

    static final byte[] FOOTER_TAG = "S3FL-END".getBytes(StandardCharsets.US_ASCII);
    static final int FOOTER_PAYLOAD = 64;
    static final int FOOTER_FRAME = FRAME_HEADER + FOOTER_PAYLOAD;

    static final int MIN_CHUNK_SHIFT = 16;
    static final int MAX_CHUNK_SHIFT = 26;

    /**
     * The largest manifest: 32 MiB, 699 049 chunks (2.6 TiB at 4 MiB chunks, 42 TiB at 64 MiB). A
     * reader allocates no more than this for a manifest, whatever the footer claims.
     */
    static final int MAX_MANIFEST = 32 << 20;
    static final long MAX_CHUNKS = (MAX_MANIFEST - MANIFEST_HEADER) / RECORD;
    /** The largest signature frame: an armored SSH signature (see SshSignature.MAX_ARMORED). */
    static final int MAX_SIGNATURE = 16 << 10;

    /** How much of an object's end a reader fetches at first: the index of a 21 GiB image at 4 MiB chunks. */
    static final int TAIL_READ = 256 << 10;

    static final int FLAG_ZERO = 1;

    static final int CODEC_LZ4 = 1;
    static final int CODEC_ZSTD = 2;

    static String codecName(int id) {
        return switch (id) {
            case CODEC_LZ4 -> "lz4";
            case CODEC_ZSTD -> "zstd";
            default -> null;
        };
    }

    /** The format's id of a codec, or -1 when the format cannot hold its frames. */
    static int codecId(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "lz4" -> CODEC_LZ4;
            case "zstd" -> CODEC_ZSTD;
            default -> -1;
        };
    }

    /**
     * The largest compressed frame a chunk of {@code length} bytes may have: more than both codecs'
     * worst case (lz4 stores an incompressible block as it is, plus a few bytes per block; zstd's
     * bound is length + length/256 + a frame header).
     */
    static long maxFrameLength(long length) {
        return length + (length >>> 6) + 4096;
    }

    static boolean isSkippable(int magic) {
        return (magic & SKIPPABLE_MASK) == (SKIPPABLE_MAGIC & SKIPPABLE_MASK);
    }

    static int intLE(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    static long longLE(byte[] b, int at) {
        return (intLE(b, at) & 0xFFFFFFFFL) | (long) intLE(b, at + 4) << 32;
    }

    static void putIntLE(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    static void putLongLE(byte[] b, int at, long v) {
        putIntLE(b, at, (int) v);
        putIntLE(b, at + 4, (int) (v >>> 32));
    }

    /** An s3flash skippable frame header for {@code payload} bytes. */
    static byte[] frameHeader(int payload) {
        byte[] h = new byte[FRAME_HEADER];
        putIntLE(h, 0, SKIPPABLE_MAGIC);
        putIntLE(h, 4, payload);
        return h;
    }

    /** The hashes of whole chunks of zeros, one per chunk size: at most 11 entries, whatever is parsed. */
    /** The head frame: where every indexed image starts. */
    static byte[] headFrame() {
        byte[] head = new byte[HEAD_FRAME];
        System.arraycopy(frameHeader(HEAD_TAG.length), 0, head, 0, FRAME_HEADER);
        System.arraycopy(HEAD_TAG, 0, head, FRAME_HEADER, HEAD_TAG.length);
        return head;
    }

    private static final Map<Integer, byte[]> ZERO_HASHES = new ConcurrentHashMap<>();
    private static final byte[] ZEROS = new byte[64 << 10];

    /** The SHA-256 of {@code length} zero bytes (without a buffer that large). */
    static byte[] zeroSha256(int length) {
        if (Integer.bitCount(length) == 1) {
            return ZERO_HASHES.computeIfAbsent(length, IndexFormat::hashZeros).clone();
        }
        return hashZeros(length);
    }

    private static byte[] hashZeros(int length) {
        MessageDigest md = sha256();
        for (int left = length; left > 0; left -= ZEROS.length) {
            md.update(ZEROS, 0, Math.min(left, ZEROS.length));
        }
        return md.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
