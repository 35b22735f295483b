package io.github.s3flash.codec.lz4;

import static io.github.s3flash.codec.lz4.Lz4Format.putIntLE;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.xxhash.StreamingXXHash32;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Writes one LZ4 frame of independent blocks, as {@code lz4 -c} does: a block that does not shrink
 * is stored uncompressed, block checksums are optional, the content checksum is on by default. When
 * the content size is known up front it is recorded in the header (as {@code lz4 --content-size}
 * does) and closing checks that exactly that many bytes were written. Not thread-safe.
 */
final class Lz4FrameOutputStream extends OutputStream {

    private final OutputStream out;
    private final LZ4Compressor compressor;
    private final XXHash32 blockHash;
    private final StreamingXXHash32 contentHash;
    private final boolean blockChecksum;
    /** Bytes per block; the buffer for them is made only when a write leaves a partial block. */
    private final int blockLength;
    private byte[] block;
    private final byte[] compressed;
    /**
     * A compressed-block buffer kept between frames on each thread: encoders that write one frame per
     * chunk (indexed images) would otherwise allocate and zero one block-sized array per chunk. An open
     * stream holds it (the thread's slot is empty meanwhile), so two streams never share one.
     */
    private static final ThreadLocal<byte[]> SPARE = ThreadLocal.withInitial(() -> new byte[0]);
    /** The declared content size, or -1 when the header records none. */
    private final long contentSize;
    private long written;
    private int filled;
    private boolean closed;

    Lz4FrameOutputStream(OutputStream out, LZ4Compressor compressor, XXHashFactory hashes, int blockSizeId,
            boolean blockChecksum, boolean contentChecksum, long contentSize) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.compressor = compressor;
        this.blockHash = hashes.hash32();
        this.blockChecksum = blockChecksum;
        this.contentSize = contentSize;
        // A frame of known, smaller size never fills a whole block: its buffers need only its size.
        int blockMax = Lz4Format.blockMaxSize(blockSizeId);
        this.blockLength = contentSize >= 0 ? (int) Math.max(1, Math.min(blockMax, contentSize)) : blockMax;
        int needed = 4 + compressor.maxCompressedLength(blockLength) + 4;
        byte[] spare = SPARE.get();
        SPARE.set(new byte[0]);
        this.compressed = spare.length >= needed ? spare : new byte[needed];
        this.contentHash = contentChecksum ? hashes.newStreamingHash32(0) : null;

        byte[] header = new byte[contentSize >= 0 ? 15 : 7];
        putIntLE(header, 0, Lz4Format.FRAME_MAGIC);
        header[4] = (byte) (Lz4Format.FLG_VERSION | Lz4Format.FLG_INDEPENDENT
                | (blockChecksum ? Lz4Format.FLG_BLOCK_CHECKSUM : 0)
                | (contentSize >= 0 ? Lz4Format.FLG_CONTENT_SIZE : 0)
                | (contentChecksum ? Lz4Format.FLG_CONTENT_CHECKSUM : 0));
        header[5] = (byte) (blockSizeId << 4);
        if (contentSize >= 0) {
            putIntLE(header, 6, (int) contentSize);
            putIntLE(header, 10, (int) (contentSize >>> 32));
        }
        // The header checksum covers the descriptor: FLG, BD and the content size when present.
        header[header.length - 1] = (byte) ((blockHash.hash(header, 4, header.length - 5, 0) >>> 8) & 0xFF);
        out.write(header);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        if (contentSize >= 0 && written + len > contentSize) {
            throw new IOException("LZ4 frame declares a content size of " + contentSize + " bytes but more are written");
        }
        written += len;
        // With nothing buffered, whole blocks (and the last one of a frame of known size) are compressed
        // straight from the caller's array: no copy, no block buffer.
        boolean endsFrame = contentSize >= 0 && written == contentSize;
        while (len > 0) {
            if (filled == 0 && (len >= blockLength || endsFrame)) {
                int n = Math.min(len, blockLength);
                writeBlock(b, off, n);
                off += n;
                len -= n;
                continue;
            }
            if (block == null) {
                block = new byte[blockLength];
            }
            int n = Math.min(len, blockLength - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == blockLength) {
                writeBlock(block, 0, filled);
                filled = 0;
            }
        }
    }

    /** Flushes the underlying stream; a partial block stays buffered, so blocks keep their full size. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (out) {
            if (contentSize >= 0 && written != contentSize) {
                throw new IOException("LZ4 frame declares a content size of " + contentSize + " bytes but " + written
                        + " were written");
            }
            if (filled > 0) {
                writeBlock(block, 0, filled);
                filled = 0;
            }
            byte[] end = new byte[contentHash != null ? 8 : 4];
            if (contentHash != null) {
                putIntLE(end, 4, contentHash.getValue());
            }
            out.write(end);
        } finally {
            if (contentHash != null) {
                contentHash.close();
            }
            if (compressed.length > SPARE.get().length) {
                SPARE.set(compressed);
            }
        }
    }

    private void writeBlock(byte[] data, int off, int length) throws IOException {
        if (contentHash != null) {
            contentHash.update(data, off, length);
        }
        int size = compressor.compress(data, off, length, compressed, 4, compressed.length - 8);
        if (size >= length) {
            // Incompressible: the block is stored as it is, written straight from the caller's bytes.
            putIntLE(compressed, 0, length | Lz4Format.UNCOMPRESSED_BIT);
            out.write(compressed, 0, 4);
            out.write(data, off, length);
            if (blockChecksum) {
                putIntLE(compressed, 0, blockHash.hash(data, off, length, 0));
                out.write(compressed, 0, 4);
            }
            return;
        }
        putIntLE(compressed, 0, size);
        int total = 4 + size;
        if (blockChecksum) {
            putIntLE(compressed, total, blockHash.hash(compressed, 4, size, 0));
            total += 4;
        }
        out.write(compressed, 0, total);
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("LZ4 encoder is closed");
        }
    }
}
