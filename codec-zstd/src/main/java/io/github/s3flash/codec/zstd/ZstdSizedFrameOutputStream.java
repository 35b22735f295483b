package io.github.s3flash.codec.zstd;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Writes one Zstandard frame whose content size is known up front and recorded in its header, as the
 * {@code zstd} CLI does for files: libzstd is told the size before the first byte ("pledged") and
 * fails the frame if another number of bytes arrives. Indexed images record it in every chunk's
 * frame. Not thread-safe.
 */
final class ZstdSizedFrameOutputStream extends OutputStream {

    private static final int OUTPUT_BUFFER = 256 << 10;

    private final OutputStream out;
    private final ZstdCompressCtx ctx;
    private final long contentSize;
    private final byte[] output = new byte[OUTPUT_BUFFER];
    private long written;
    private boolean closed;

    ZstdSizedFrameOutputStream(OutputStream out, int level, boolean checksum, int windowLog, long contentSize) {
        this.out = Objects.requireNonNull(out, "out");
        this.contentSize = contentSize;
        this.ctx = new ZstdCompressCtx().setLevel(level).setChecksum(checksum).setContentSize(true);
        if (windowLog > 0) {
            ctx.setLong(windowLog);
        }
        ctx.setPledgedSrcSize(contentSize);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("zstd encoder is closed");
        }
        if (written + len > contentSize) {
            throw new IOException("zstd frame declares a content size of " + contentSize + " bytes but more are written");
        }
        written += len;
        ByteBuffer src = ByteBuffer.wrap(b, off, len);
        while (src.hasRemaining()) {
            drain(src, EndDirective.CONTINUE);
        }
    }

    /** Runs libzstd once over {@code src} and writes what it produced; true when the frame is complete. */
    private boolean drain(ByteBuffer src, EndDirective directive) throws IOException {
        ByteBuffer dst = ByteBuffer.wrap(output);
        boolean done;
        try {
            done = ctx.compressByteBufferStream(dst, src, directive);
        } catch (ZstdException e) {
            throw new IOException("zstd compression failed: " + e.getMessage(), e);
        }
        out.write(output, 0, dst.position());
        return done;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (out; ctx) {
            if (written != contentSize) {
                throw new IOException("zstd frame declares a content size of " + contentSize + " bytes but " + written
                        + " were written");
            }
            ByteBuffer none = ByteBuffer.allocate(0);
            while (!drain(none, EndDirective.END)) {
                // libzstd flushes the rest of the frame in as many rounds as the output buffer needs.
            }
        }
    }
}
