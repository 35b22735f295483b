package io.github.s3flash.codec.lz4;

import static io.github.s3flash.codec.lz4.Lz4Format.intLE;

import io.github.s3flash.api.CorruptImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Decodes a sequence of LZ4 frames, skippable frames and legacy-format streams, as {@code lz4 -d}
 * does, one block at a time: memory is one compressed and one decoded block (at most 4 MiB each, 8
 * MiB in the legacy format, plus the 64 KiB window of linked blocks), whatever the image size.
 *
 * <p>Every fault of the input is a {@link CorruptImageException} naming the compressed byte offset
 * of the header or block at fault (or, for truncation, the offset where the input ended): bad magic,
 * bad descriptor or header checksum, oversized or undecodable blocks, block and content checksum
 * mismatches, a content size that differs from the decoded size, and input that ends anywhere but
 * after a complete frame. The legacy format has no end mark, so a legacy stream cut exactly between
 * two blocks cannot be told from a shorter one (as with {@code lz4 -d}); the pipeline's SHA-256
 * catches that. Not thread-safe (one reader, as {@link InputStream}s are).
 */
final class Lz4FrameInputStream extends InputStream implements ReadableByteChannel {

    private enum State { BETWEEN_FRAMES, FRAME, LEGACY, FAILED, CLOSED }

    private final InputStream in;
    private final LZ4SafeDecompressor decompressor;
    private final XXHash32 blockHash;
    private final XXHashFactory hashes;
    private final byte[] header = new byte[16];

    private State state = State.BETWEEN_FRAMES;
    /** Compressed bytes consumed so far: the offset that errors report. */
    private long position;
    private int frames;
    /** The magic number read by the legacy decoder where a block size was expected, or 0. */
    private int pendingMagic;

    // The current frame.
    private long frameStart;
    private int blockMax;
    private boolean independent;
    private boolean blockChecksum;
    private boolean contentChecksum;
    private long contentSize;
    private long frameDecoded;
    private StreamingXXHash32 contentHash;
    private final boolean verifyChecksums;

    private byte[] compressed = new byte[0];
    /** Decoded bytes; linked blocks keep up to {@link Lz4Format#WINDOW} bytes of history before them. */
    private byte[] decoded = new byte[0];
    /** What {@link #read} serves from: {@link #decoded}, or {@link #compressed} for a stored block. */
    private byte[] served = decoded;
    private int readPos;
    private int readEnd;
    /** For linked blocks: where the history starts and where the next block is decoded. */
    private int windowStart;

    Lz4FrameInputStream(InputStream in, LZ4SafeDecompressor decompressor, XXHashFactory hashes) {
        this(in, decompressor, hashes, true);
    }

    /**
     * @param verifyChecksums false to read the frames' block and content checksums without computing
     *     them: for a caller that checks every decoded byte by stronger means (Codec's
     *     {@code frame-checksums=skip}); the header checksum, sizes and bounds are checked all the same
     */
    Lz4FrameInputStream(InputStream in, LZ4SafeDecompressor decompressor, XXHashFactory hashes,
            boolean verifyChecksums) {
        this.in = Objects.requireNonNull(in, "in");
        this.decompressor = decompressor;
        this.hashes = hashes;
        this.blockHash = hashes.hash32();
        this.verifyChecksums = verifyChecksums;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (readPos == readEnd) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, readEnd - readPos);
        System.arraycopy(served, readPos, b, off, n);
        readPos += n;
        return n;
    }

    /** Reads as {@link #read(byte[], int, int)} does, into the pipeline's buffer: one copy less. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        while (readPos == readEnd) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(dst.remaining(), readEnd - readPos);
        dst.put(served, readPos, n);
        readPos += n;
        return n;
    }

    @Override
    public boolean isOpen() {
        return state != State.CLOSED;
    }

    @Override
    public int available() {
        return readEnd - readPos;
    }

    @Override
    public void close() throws IOException {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closeContentHash();
        in.close();
    }

    /** Decodes the next block and serves it to {@link #read}; false at the clean end of the stream. */
    private boolean fill() throws IOException {
        try {
            while (true) {
                switch (state) {
                    case BETWEEN_FRAMES -> {
                        if (!nextFrame()) {
                            return false;
                        }
                    }
                    case FRAME -> {
                        if (frameBlock()) {
                            return true;
                        }
                    }
                    case LEGACY -> {
                        if (legacyBlock()) {
                            return true;
                        }
                    }
                    case FAILED -> throw new CorruptImageException(
                            "LZ4 stream already failed; decoding cannot go on", position);
                    case CLOSED -> throw new IOException("LZ4 stream is closed");
                }
            }
        } catch (CorruptImageException e) {
            state = State.FAILED;
            throw e;
        }
    }

    /** Reads the next frame's magic number and header; false at the clean end of the stream. */
    private boolean nextFrame() throws IOException {
        long at = position;
        int magic;
        if (pendingMagic != 0) {
            magic = pendingMagic;
            pendingMagic = 0;
            at -= 4;
        } else {
            int n = readFully(header, 0, 4);
            if (n == 0) {
                if (frames == 0) {
                    throw new CorruptImageException("the LZ4 stream is empty: it holds no frame", at);
                }
                return false;
            }
            if (n < 4) {
                throw truncated("a frame's magic number");
            }
            magic = intLE(header, 0);
        }
        if (magic == Lz4Format.FRAME_MAGIC) {
            frameHeader(at);
            state = State.FRAME;
        } else if (magic == Lz4Format.LEGACY_MAGIC) {
            ensureBuffers(Lz4Format.LEGACY_MAX_COMPRESSED, Lz4Format.LEGACY_BLOCK_SIZE);
            frameStart = at;
            state = State.LEGACY;
        } else if (Lz4Format.isSkippable(magic)) {
            readExactly(header, 0, 4, "a skippable frame's size");
            skipExactly(intLE(header, 0) & 0xFFFFFFFFL);
            frames++;
        } else {
            throw new CorruptImageException(String.format(
                    frames == 0
                            ? "not an LZ4 stream: magic number 0x%08X is neither an LZ4 frame, a legacy frame nor a skippable frame"
                            : "unknown data after frame %2$d: magic number 0x%1$08X is not an LZ4 frame",
                    magic, frames), at);
        }
        return true;
    }

    private void frameHeader(long at) throws IOException {
        readExactly(header, 0, 2, "a frame descriptor");
        int flg = header[0] & 0xFF;
        int bd = header[1] & 0xFF;
        if ((flg & Lz4Format.FLG_VERSION_MASK) != Lz4Format.FLG_VERSION) {
            throw new CorruptImageException("LZ4 frame version " + (flg >>> 6) + " is not supported (only 1)", at + 4);
        }
        if ((flg & Lz4Format.FLG_RESERVED) != 0 || (bd & 0x8F) != 0) {
            throw new CorruptImageException("LZ4 frame descriptor has reserved bits set", at + 4);
        }
        int max = Lz4Format.blockMaxSize((bd >>> 4) & 0x07);
        if (max < 0) {
            throw new CorruptImageException("LZ4 frame has invalid block size id " + ((bd >>> 4) & 0x07), at + 5);
        }
        int descriptor = 2;
        if ((flg & Lz4Format.FLG_CONTENT_SIZE) != 0) {
            readExactly(header, descriptor, 8, "a frame's content size");
            descriptor += 8;
        }
        if ((flg & Lz4Format.FLG_DICT_ID) != 0) {
            readExactly(header, descriptor, 4, "a frame's dictionary id");
            descriptor += 4;
        }
        readExactly(header, descriptor, 1, "a frame's header checksum");
        int expected = (blockHash.hash(header, 0, descriptor, 0) >>> 8) & 0xFF;
        if ((header[descriptor] & 0xFF) != expected) {
            throw new CorruptImageException("LZ4 frame header checksum does not match", at + 4 + descriptor);
        }
        if ((flg & Lz4Format.FLG_DICT_ID) != 0) {
            throw new CorruptImageException("LZ4 frame needs dictionary id "
                    + (intLE(header, descriptor - 4) & 0xFFFFFFFFL)
                    + ", and images made with an external dictionary (lz4 -D) are not supported;"
                    + " compress without -D", at + 4);
        }
        frameStart = at;
        blockMax = max;
        independent = (flg & Lz4Format.FLG_INDEPENDENT) != 0;
        blockChecksum = (flg & Lz4Format.FLG_BLOCK_CHECKSUM) != 0;
        contentChecksum = (flg & Lz4Format.FLG_CONTENT_CHECKSUM) != 0;
        contentSize = (flg & Lz4Format.FLG_CONTENT_SIZE) != 0 ? Lz4Format.longLE(header, 2) : -1;
        frameDecoded = 0;
        windowStart = Lz4Format.WINDOW;
        ensureBuffers(max + 4, independent ? max : Lz4Format.WINDOW + max);
        if (contentChecksum && verifyChecksums) {
            if (contentHash == null) {
                contentHash = hashes.newStreamingHash32(0);
            } else {
                contentHash.reset();
            }
        }
    }

    /** Decodes the next block of the current frame; false when the frame ended instead. */
    private boolean frameBlock() throws IOException {
        long at = position;
        readExactly(header, 0, 4, "a block size");
        int word = intLE(header, 0);
        if (word == 0) {
            endFrame(at);
            return false;
        }
        boolean stored = (word & Lz4Format.UNCOMPRESSED_BIT) != 0;
        int size = word & ~Lz4Format.UNCOMPRESSED_BIT;
        if (size > blockMax) {
            throw new CorruptImageException("LZ4 block of " + size + " bytes exceeds the frame's block size "
                    + blockMax, at);
        }
        int stored4 = blockChecksum ? 4 : 0;
        readExactly(compressed, 0, size + stored4, "a block");
        if (blockChecksum && verifyChecksums && blockHash.hash(compressed, 0, size, 0) != intLE(compressed, size)) {
            throw new CorruptImageException("LZ4 block checksum does not match", at);
        }
        if (stored && independent) {
            // Served from the compressed buffer as it is: incompressible data is copied once less.
            return serve(compressed, 0, size);
        }
        int base;
        if (independent) {
            base = 0;
        } else {
            base = slideWindow();
        }
        int n;
        if (stored) {
            System.arraycopy(compressed, 0, decoded, base, size);
            n = size;
        } else {
            n = decompress(size, base, blockMax, at);
        }
        return serve(decoded, base, n);
    }

    private boolean serve(byte[] data, int from, int n) throws CorruptImageException {
        frameDecoded += n;
        if (contentSize >= 0 && frameDecoded > contentSize) {
            throw new CorruptImageException("LZ4 frame decodes to more than its declared content size "
                    + contentSize, position);
        }
        if (contentChecksum && verifyChecksums) {
            contentHash.update(data, from, n);
        }
        served = data;
        readPos = from;
        readEnd = from + n;
        return true;
    }

    /**
     * Keeps the last {@link Lz4Format#WINDOW} bytes of the frame's output before the next linked
     * block and returns where that block is decoded.
     */
    private int slideWindow() {
        int history = readEnd - windowStart;
        if (frameDecoded == 0) {
            windowStart = Lz4Format.WINDOW;
        } else if (readEnd > Lz4Format.WINDOW) {
            int keep = Math.min(history, Lz4Format.WINDOW);
            System.arraycopy(decoded, readEnd - keep, decoded, Lz4Format.WINDOW - keep, keep);
            windowStart = Lz4Format.WINDOW - keep;
        }
        return Lz4Format.WINDOW;
    }

    private int decompress(int size, int base, int max, long at) throws CorruptImageException {
        try {
            if (independent || state == State.LEGACY) {
                return decompressor.decompress(compressed, 0, size, decoded, base, max);
            }
            return LinkedBlockDecoder.decode(compressed, 0, size, decoded, base, base + max, windowStart);
        } catch (LinkedBlockDecoder.MalformedBlockException e) {
            throw new CorruptImageException("malformed LZ4 block: " + e.getMessage(), at, e);
        } catch (RuntimeException e) {
            // lz4-java reports malformed blocks as LZ4Exception; any other unchecked exception from it on
            // these bounds-checked calls also means the block is bad.
            throw new CorruptImageException("malformed LZ4 block: " + e.getMessage(), at, e);
        }
    }

    private void endFrame(long at) throws IOException {
        if (contentChecksum) {
            readExactly(header, 0, 4, "a frame's content checksum");
            if (verifyChecksums && contentHash.getValue() != intLE(header, 0)) {
                throw new CorruptImageException("LZ4 content checksum does not match: the decoded frame differs"
                        + " from what was compressed", at);
            }
        }
        if (contentSize >= 0 && frameDecoded != contentSize) {
            throw new CorruptImageException("LZ4 frame decoded to " + frameDecoded
                    + " bytes but declares a content size of " + contentSize, at);
        }
        readPos = readEnd = 0;
        frames++;
        state = State.BETWEEN_FRAMES;
    }

    /**
     * Decodes the next legacy block; false at the end of the legacy stream (input ends, or a value too
     * large for a block size, which is the next frame's magic number, as {@code lz4 -d} reads it).
     */
    private boolean legacyBlock() throws IOException {
        long at = position;
        int n = readFully(header, 0, 4);
        if (n == 0) {
            frames++;
            state = State.BETWEEN_FRAMES;
            return false;
        }
        if (n < 4) {
            throw truncated("a legacy block size");
        }
        int size = intLE(header, 0);
        if (Integer.compareUnsigned(size, Lz4Format.LEGACY_MAX_COMPRESSED) > 0) {
            pendingMagic = size;
            frames++;
            state = State.BETWEEN_FRAMES;
            return false;
        }
        readExactly(compressed, 0, size, "a legacy block");
        int decodedSize = decompress(size, 0, Lz4Format.LEGACY_BLOCK_SIZE, at);
        served = decoded;
        readPos = 0;
        readEnd = decodedSize;
        return true;
    }

    private void ensureBuffers(int compressedSize, int decodedSize) {
        if (compressed.length < compressedSize) {
            compressed = new byte[compressedSize];
        }
        if (decoded.length < decodedSize) {
            decoded = new byte[decodedSize];
        }
        readPos = readEnd = 0;
    }

    /** Reads up to {@code len} bytes, fewer only at the end of input. */
    private int readFully(byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        position += n;
        return n;
    }

    private void readExactly(byte[] b, int off, int len, String what) throws IOException {
        if (readFully(b, off, len) < len) {
            throw truncated(what);
        }
    }

    /** Reads and drops {@code n} bytes; InputStream.skip may skip past the end of a file, read cannot. */
    private void skipExactly(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 8192)];
        long left = n;
        while (left > 0) {
            int want = (int) Math.min(left, scratch.length);
            int got = readFully(scratch, 0, want);
            if (got < want) {
                throw truncated("a skippable frame");
            }
            left -= got;
        }
    }

    private CorruptImageException truncated(String inside) {
        return new CorruptImageException("LZ4 stream is truncated: it ends inside " + inside
                + (state == State.FRAME || state == State.LEGACY ? " of the frame at offset " + frameStart : ""),
                position);
    }

    private void closeContentHash() {
        if (contentHash != null) {
            contentHash.close();
            contentHash = null;
        }
    }
}
