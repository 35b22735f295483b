package io.github.s3flash.api.index;

import static io.github.s3flash.api.index.IndexFormat.MANIFEST_HEADER;
import static io.github.s3flash.api.index.IndexFormat.MANIFEST_TAG;
import static io.github.s3flash.api.index.IndexFormat.RECORD;
import static io.github.s3flash.api.index.IndexFormat.intLE;
import static io.github.s3flash.api.index.IndexFormat.longLE;
import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.CorruptImageException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * The manifest of an indexed image: its codec, chunk size and length, and per chunk the compressed
 * frame's offset and length, the decoded SHA-256 and a zero flag. Its bytes are what is signed; their
 * SHA-256 is the <em>image digest</em>, which names the image and everything in it.
 *
 * <pre>
 * header (64 bytes, little endian)
 *  0  8  tag "S3FL-MAN"
 *  8  4  format version (1)
 * 12  2  header size (64)
 * 14  2  record size (48)
 * 16  1  codec: 1 = lz4, 2 = zstd
 * 17  1  chunk size as a power of two: 16 (64 KiB) to 26 (64 MiB)
 * 18  6  reserved, zero
 * 24  8  image length: decoded bytes
 * 32  8  chunk count: ceil(image length / chunk size)
 * 40  8  data end: where the chunk frames end (they start after the 16-byte head frame)
 * 48 16  reserved, zero
 * then one 48-byte record per chunk
 *  0  8  compressed offset: where the chunk's frame starts in the object (16 for chunk 0)
 *  8  4  compressed length of the frame
 * 12  4  flags: bit 0 = the decoded bytes are all zeros; other bits zero
 * 16 32  SHA-256 of the chunk's decoded bytes
 * </pre>
 *
 * Parsing checks every field before it is used: the frames tile the data exactly, lengths fit the
 * chunk size, reserved bits are zero, zero-flagged chunks carry the hash of zeros. Immutable and
 * thread-safe; chunks are decoded from the bytes on demand, so a large manifest costs its bytes only.
 */
public final class Manifest {

    /** The format version this s3flash reads and writes. */
    public static final int FORMAT_VERSION = IndexFormat.VERSION;

    private final byte[] bytes;
    private final String codec;
    private final int chunkShift;
    private final long imageLength;
    private final int chunkCount;
    private final long dataEnd;
    private final int zeroChunks;
    private final String digest;

    private Manifest(byte[] bytes, String codec, int chunkShift, long imageLength, int chunkCount, long dataEnd,
            int zeroChunks) {
        this.bytes = bytes;
        this.codec = codec;
        this.chunkShift = chunkShift;
        this.imageLength = imageLength;
        this.chunkCount = chunkCount;
        this.dataEnd = dataEnd;
        this.zeroChunks = zeroChunks;
        this.digest = IndexFormat.hex(IndexFormat.sha256().digest(bytes));
    }

    /**
     * Parses and checks a manifest's bytes. {@code at} is where they start in the object, for the
     * offsets in messages.
     *
     * @throws CorruptImageException naming the first field that is wrong and its byte offset
     */
    public static Manifest parse(byte[] bytes, long at) throws CorruptImageException {
        requireNonNull(bytes, "bytes");
        if (bytes.length < MANIFEST_HEADER) {
            throw new CorruptImageException("the manifest is " + bytes.length + " bytes, shorter than its "
                    + MANIFEST_HEADER + "-byte header", at);
        }
        if (!Arrays.equals(bytes, 0, MANIFEST_TAG.length, MANIFEST_TAG, 0, MANIFEST_TAG.length)) {
            throw new CorruptImageException("the manifest does not start with its tag S3FL-MAN", at);
        }
        int version = intLE(bytes, 8);
        if (version != IndexFormat.VERSION) {
            throw new CorruptImageException("the manifest is of format version " + Integer.toUnsignedString(version)
                    + "; this s3flash reads version " + IndexFormat.VERSION + ": use an s3flash that knows it", at + 8);
        }
        int headerSize = u16(bytes, 12);
        int recordSize = u16(bytes, 14);
        if (headerSize != MANIFEST_HEADER || recordSize != RECORD) {
            throw new CorruptImageException("the manifest declares a " + headerSize + "-byte header and " + recordSize
                    + "-byte records; version 1 has " + MANIFEST_HEADER + " and " + RECORD, at + 12);
        }
        String codec = IndexFormat.codecName(bytes[16] & 0xFF);
        if (codec == null) {
            throw new CorruptImageException("the manifest names codec number " + (bytes[16] & 0xFF)
                    + "; version 1 knows 1 (lz4) and 2 (zstd)", at + 16);
        }
        int shift = bytes[17] & 0xFF;
        if (shift < IndexFormat.MIN_CHUNK_SHIFT || shift > IndexFormat.MAX_CHUNK_SHIFT) {
            throw new CorruptImageException("the manifest gives a chunk size of 2^" + shift + " bytes; it must be"
                    + " 2^16 (64 KiB) to 2^26 (64 MiB)", at + 17);
        }
        checkZero(bytes, 18, 24, at, "header bytes 18..23");
        checkZero(bytes, 48, 64, at, "header bytes 48..63");
        long imageLength = longLE(bytes, 24);
        long count = longLE(bytes, 32);
        long dataEnd = longLE(bytes, 40);
        if (imageLength < 0 || imageLength > IndexFormat.MAX_CHUNKS << shift || count < 0
                || count > IndexFormat.MAX_CHUNKS) {
            throw new CorruptImageException("the manifest gives an image of " + Long.toUnsignedString(imageLength)
                    + " bytes in " + Long.toUnsignedString(count) + " chunks; at most " + IndexFormat.MAX_CHUNKS
                    + " chunks fit a manifest", at + 24);
        }
        long chunkSize = 1L << shift;
        if (count != (imageLength + chunkSize - 1) >>> shift) {
            throw new CorruptImageException("the manifest gives " + count + " chunks for an image of " + imageLength
                    + " bytes in chunks of " + chunkSize + "; that makes " + ((imageLength + chunkSize - 1) >>> shift),
                    at + 32);
        }
        if (bytes.length != MANIFEST_HEADER + count * RECORD) {
            throw new CorruptImageException("the manifest is " + bytes.length + " bytes but " + count + " chunks make "
                    + (MANIFEST_HEADER + count * RECORD), at);
        }
        long running = IndexFormat.HEAD_FRAME;
        int zeros = 0;
        for (int k = 0; k < count; k++) {
            int r = MANIFEST_HEADER + k * RECORD;
            long recordAt = at + r;
            long offset = longLE(bytes, r);
            long length = intLE(bytes, r + 8) & 0xFFFFFFFFL;
            int flags = intLE(bytes, r + 12);
            long decoded = Math.min(chunkSize, imageLength - k * chunkSize);
            if (offset != running) {
                throw new CorruptImageException("chunk " + k + "'s frame starts at " + offset + " but the frames before"
                        + " it end at " + running + "; frames must follow each other", recordAt);
            }
            if (length == 0 || length > IndexFormat.maxFrameLength(decoded)) {
                throw new CorruptImageException("chunk " + k + "'s frame is " + length + " bytes; a frame of " + decoded
                        + " bytes has 1 to " + IndexFormat.maxFrameLength(decoded), recordAt + 8);
            }
            if ((flags & ~IndexFormat.FLAG_ZERO) != 0) {
                throw new CorruptImageException(String.format("chunk %d has unknown flags 0x%08x", k, flags),
                        recordAt + 12);
            }
            if ((flags & IndexFormat.FLAG_ZERO) != 0) {
                if (!Arrays.equals(bytes, r + 16, r + 48, IndexFormat.zeroSha256((int) decoded), 0, 32)) {
                    throw new CorruptImageException("chunk " + k + " is flagged all-zero but its SHA-256 is not that of "
                            + decoded + " zero bytes", recordAt + 16);
                }
                zeros++;
            }
            running += length;
        }
        if (running != dataEnd) {
            throw new CorruptImageException("the manifest's frames end at " + running + " but it gives a data end of "
                    + dataEnd, at + 40);
        }
        return new Manifest(bytes.clone(), codec, shift, imageLength, (int) count, dataEnd, zeros);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    private static void checkZero(byte[] b, int from, int to, long at, String what) throws CorruptImageException {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                throw new CorruptImageException("the manifest's reserved " + what + " are not zero", at + i);
            }
        }
    }

    /** The manifest of the chunks in {@code records} (count × 48 bytes). */
    static byte[] encode(int codecId, int chunkShift, long imageLength, long dataEnd, byte[] records, int count) {
        byte[] out = new byte[MANIFEST_HEADER + count * RECORD];
        System.arraycopy(MANIFEST_TAG, 0, out, 0, MANIFEST_TAG.length);
        IndexFormat.putIntLE(out, 8, IndexFormat.VERSION);
        out[12] = (byte) MANIFEST_HEADER;
        out[14] = (byte) RECORD;
        out[16] = (byte) codecId;
        out[17] = (byte) chunkShift;
        IndexFormat.putLongLE(out, 24, imageLength);
        IndexFormat.putLongLE(out, 32, count);
        IndexFormat.putLongLE(out, 40, dataEnd);
        System.arraycopy(records, 0, out, MANIFEST_HEADER, count * RECORD);
        return out;
    }

    /** One chunk record, as {@link #encode} expects them. */
    static void encodeRecord(byte[] records, int index, long compressedOffset, int compressedLength, boolean zero,
            byte[] sha256) {
        int r = index * RECORD;
        IndexFormat.putLongLE(records, r, compressedOffset);
        IndexFormat.putIntLE(records, r + 8, compressedLength);
        IndexFormat.putIntLE(records, r + 12, zero ? IndexFormat.FLAG_ZERO : 0);
        System.arraycopy(sha256, 0, records, r + 16, 32);
    }

    /** {@code lz4} or {@code zstd}: the codec of every chunk frame. */
    public String codec() {
        return codec;
    }

    /** Decoded bytes per chunk (the last chunk may have fewer). */
    public int chunkSize() {
        return 1 << chunkShift;
    }

    /** Decoded bytes of the whole image. */
    public long imageLength() {
        return imageLength;
    }

    public int chunkCount() {
        return chunkCount;
    }

    /** Where the chunk frames end in the object: the manifest frame starts here. */
    public long dataEnd() {
        return dataEnd;
    }

    /** Bytes of all chunk frames together. */
    public long chunkFramesLength() {
        return dataEnd - IndexFormat.HEAD_FRAME;
    }

    /** How many chunks are all zeros. */
    public int zeroChunks() {
        return zeroChunks;
    }

    /** The image digest: SHA-256 of the manifest's bytes, lower-case hex. */
    public String digest() {
        return digest;
    }

    /** The manifest's length in bytes. */
    public int length() {
        return bytes.length;
    }

    /** A copy of the manifest's bytes: what is signed. */
    public byte[] bytes() {
        return bytes.clone();
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(bytes);
    }

    /** Chunk {@code index}. */
    public Chunk chunk(int index) {
        java.util.Objects.checkIndex(index, chunkCount);
        int r = MANIFEST_HEADER + index * RECORD;
        long offset = (long) index << chunkShift;
        int length = (int) Math.min(1L << chunkShift, imageLength - offset);
        return new Chunk(index, offset, length, longLE(bytes, r), intLE(bytes, r + 8),
                (intLE(bytes, r + 12) & IndexFormat.FLAG_ZERO) != 0, Arrays.copyOfRange(bytes, r + 16, r + 48));
    }

    /** The chunks in order, each made when it is asked for. */
    public List<Chunk> chunks() {
        return new AbstractList<>() {
            @Override
            public Chunk get(int index) {
                return chunk(index);
            }

            @Override
            public int size() {
                return chunkCount;
            }
        };
    }

    /** The chunk holding image byte {@code offset}. */
    public Chunk chunkAt(long offset) {
        if (offset < 0 || offset >= imageLength) {
            throw new IndexOutOfBoundsException("image byte " + offset + " is outside the image of " + imageLength);
        }
        return chunk((int) (offset >>> chunkShift));
    }

    @Override
    public String toString() {
        return "manifest " + digest + " (" + codec + ", " + chunkCount + " chunks of " + chunkSize() + ", image "
                + imageLength + " bytes)";
    }
}
