package com.example.s3flash.gzip;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.api.RangeInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * gzip images ({@code gzip -c disk.img}), including several concatenated members as {@code pigz}
 * and {@code cat a.gz b.gz} make. Decoding errors become {@link CorruptImageException} with the
 * compressed offset; errors of the stream below are passed on as they are.
 */
public final class GzipCodec implements Codec {

    @Override
    public String name() {
        return "gzip";
    }

    @Override
    public ProbeResult probe(ByteBuffer head) {
        if (head.remaining() < 3) {
            return head.remaining() > 0 && head.get(head.position()) == 0x1f ? ProbeResult.POSSIBLY : ProbeResult.NO;
        }
        int p = head.position();
        boolean magic = head.get(p) == 0x1f && head.get(p + 1) == (byte) 0x8b && head.get(p + 2) == 8;
        return magic ? ProbeResult.CERTAINLY : ProbeResult.NO;
    }

    @Override
    public InputStream decode(InputStream compressed) throws IOException {
        var counted = new Counted(compressed);
        // The api's base stream does the bounds checks and single-byte reads, and makes a failure stick.
        return new RangeInputStream("gzip-decoded image", -1) {
            private InputStream gzip;

            private InputStream gzip() throws IOException {
                if (gzip == null) {
                    gzip = guard(counted, () -> new GzipCompressorInputStream(counted, true));
                }
                return gzip;
            }

            @Override
            protected int readUpstream(byte[] b, int off, int len) throws IOException {
                InputStream in = gzip();
                return guard(counted, () -> in.read(b, off, len));
            }

            @Override
            public int available() throws IOException {
                return gzip == null ? 0 : guard(counted, gzip::available);
            }

            @Override
            protected void release(boolean complete) throws IOException {
                if (gzip != null) {
                    gzip.close();
                } else {
                    counted.close();
                }
            }
        };
    }

    @Override
    public OutputStream encode(OutputStream out, Options options) throws IOException {
        var parameters = new GzipParameters();
        parameters.setCompressionLevel(options.getInt("level", 6, 1, 9));
        return new GzipCompressorOutputStream(out, parameters);
    }

    private interface Io<T> {
        T call() throws IOException;
    }

    /** Runs a decoder step; a failure that did not come from the stream below is corrupt input. */
    private static <T> T guard(Counted counted, Io<T> step) throws IOException {
        try {
            return step.call();
        } catch (IOException | RuntimeException e) {
            if (counted.failure != null) {
                throw counted.failure;
            }
            throw new CorruptImageException("gzip data is corrupt or truncated: " + e.getMessage(), counted.count, e);
        }
    }

    /** Counts compressed bytes and remembers failures of the stream below. */
    private static final class Counted extends RangeInputStream {
        private final InputStream in;
        long count;
        IOException failure;

        Counted(InputStream in) {
            super("gzip-compressed image", -1);
            this.in = in;
        }

        /** No mark: the decoder's reset would re-read, and count, the same bytes twice. */
        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        protected int readUpstream(byte[] b, int off, int len) throws IOException {
            try {
                int n = in.read(b, off, len);
                count += Math.max(n, 0);
                return n;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        protected void release(boolean complete) throws IOException {
            in.close();
        }
    }
}
