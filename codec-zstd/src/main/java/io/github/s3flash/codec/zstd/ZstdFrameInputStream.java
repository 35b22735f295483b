package io.github.s3flash.codec.zstd;

import com.github.luben.zstd.ZstdDecompressCtx;
import io.github.s3flash.api.CorruptImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Decodes a sequence of Zstandard and skippable frames with zstd-jni's streaming decompressor,
 * writing straight into the caller's array. Memory is the input buffer plus the decoder's window
 * (the frame's window size: 8 MiB or less at the CLI's default levels, up to 2 GiB for {@code
 * --long=31}), whatever the image size.
 *
 * <p>Every fault is a {@link CorruptImageException} with the compressed offset up to which the
 * decoder had consumed input: what libzstd rejects (bad magic, bad block, checksum mismatch, a
 * window beyond 2 GiB) and input that ends anywhere but after a complete frame, or holds no frame at
 * all. Not thread-safe.
 */
final class ZstdFrameInputStream extends InputStream {

    /** Window log accepted when decoding: 31 (2 GiB) covers {@code zstd --long=31}. */
    static final int WINDOW_LOG_MAX = 31;

    private static final int INPUT_BUFFER = 256 << 10;

    private final InputStream in;
    private final ZstdDecompressCtx ctx;
    private final ByteBuffer src = ByteBuffer.allocate(INPUT_BUFFER).limit(0);
    /** Compressed bytes before {@code src}'s first byte. */
    private long consumedBefore;
    /** Whether the last call that did anything ended a frame (so the input may end here). */
    private boolean atFrameEnd;
    private boolean sawFrame;
    /** The last call filled the caller's array: the decoder may hold more output. */
    private boolean mayHoldOutput;
    private boolean failed;
    private boolean closed;

    ZstdFrameInputStream(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
        this.ctx = new ZstdDecompressCtx().setLongMax(WINDOW_LOG_MAX);
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
        if (closed) {
            throw new IOException("zstd stream is closed");
        }
        if (failed) {
            throw new CorruptImageException("zstd stream already failed; decoding cannot go on", position());
        }
        if (len == 0) {
            return 0;
        }
        try {
            return decode(b, off, len);
        } catch (CorruptImageException e) {
            failed = true;
            throw e;
        }
    }

    private int decode(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (src.hasRemaining() || mayHoldOutput) {
                ByteBuffer dst = ByteBuffer.wrap(b, off, len);
                int before = src.position();
                boolean frameEnd;
                try {
                    frameEnd = ctx.decompressByteBufferStream(dst, src);
                } catch (RuntimeException e) {
                    // zstd-jni reports malformed input as ZstdException (unchecked).
                    throw new CorruptImageException("corrupt zstd data: " + e.getMessage(), position(), e);
                }
                int n = dst.position() - off;
                boolean progress = n > 0 || src.position() > before;
                if (progress) {
                    atFrameEnd = frameEnd;
                    sawFrame |= frameEnd;
                }
                mayHoldOutput = n == len;
                if (n > 0) {
                    return n;
                }
                if (progress && src.hasRemaining()) {
                    continue;
                }
                if (!progress && src.position() == 0 && src.limit() == src.capacity()) {
                    // Cannot happen with libzstd (it buffers what it needs); guards against spinning.
                    throw new CorruptImageException("zstd decoder made no progress on its input", position());
                }
            }
            if (!refill()) {
                if (!sawFrame) {
                    throw new CorruptImageException(position() == 0
                            ? "the zstd stream is empty: it holds no frame"
                            : "zstd stream is truncated: it ends inside its first frame", position());
                }
                if (!atFrameEnd) {
                    throw new CorruptImageException("zstd stream is truncated: it ends inside a frame", position());
                }
                return -1;
            }
        }
    }

    /** Reads more compressed input after what is left in {@code src}; false at the end of input. */
    private boolean refill() throws IOException {
        consumedBefore += src.position();
        src.compact();
        int n;
        try {
            n = in.read(src.array(), src.arrayOffset() + src.position(), src.remaining());
        } finally {
            src.flip();
        }
        if (n < 0) {
            return false;
        }
        src.limit(src.limit() + n);
        return true;
    }

    private long position() {
        return consumedBefore + src.position();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (in) {
            ctx.close();
        }
    }
}
