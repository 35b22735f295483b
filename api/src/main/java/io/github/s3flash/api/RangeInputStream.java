package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The one base of the streams that carry image bytes: a range of a known length (or, with length
 * -1, whatever its upstream holds), read through {@link #readUpstream}. It keeps, in one place, the
 * rules every such stream follows:
 *
 * <ul>
 *   <li>Reads are bounds-checked and never go past the range; {@code read()} reads one byte through
 *       the same path.
 *   <li><b>A short range is a fault</b> ({@link PinnedImage}'s rule): an upstream that ends before
 *       the range's last byte, or that returns no bytes at all, fails with a retryable {@link
 *       SourceUnavailableException} naming the offset, so a reader resumes from {@link #position()}
 *       rather than take a cut connection for the end of the image.
 *   <li><b>Failures stick</b>: once a read has failed, every later read throws the same failure,
 *       never a later byte or an end of stream.
 *   <li>{@link #completed()} runs once every byte was read, before the last ones are handed out (a
 *       place for a final check of the source's version); {@link #release} runs once, at the first
 *       {@link #close()}; reading a closed stream fails.
 * </ul>
 *
 * <p>Read by one thread; {@link #close()} may come from another to stop it.
 */
public abstract class RangeInputStream extends InputStream {

    private final String what;
    private final long length;
    private long position;
    private Throwable failure;
    private boolean complete;
    private volatile boolean closed;

    /**
     * @param what the range, for messages, e.g. "s3://bucket/key bytes 0-8388607"; never with
     *     secrets (see {@link ImageLocations#redact})
     * @param length the range's length in bytes, or -1 to read until the upstream ends
     */
    protected RangeInputStream(String what, long length) {
        this.what = requireNonNull(what, "what");
        if (length < -1) {
            throw new IllegalArgumentException("length must be -1 (to the end) or >= 0: " + length);
        }
        this.length = length;
    }

    /**
     * A range over {@code upstream}, of which {@code length} bytes are read: for a provider whose
     * client hands out a plain stream. Closing it closes {@code upstream}.
     */
    public static RangeInputStream of(String what, long length, InputStream upstream) {
        requireNonNull(upstream, "upstream");
        return new RangeInputStream(what, length) {
            @Override
            protected int readUpstream(byte[] b, int off, int len) throws IOException {
                return upstream.read(b, off, len);
            }

            @Override
            protected void release(boolean complete) throws IOException {
                upstream.close();
            }
        };
    }

    /**
     * Reads at most {@code len} bytes (1 or more, never past the range) into {@code b}: how many,
     * or -1 when the upstream has ended. Returning 0 is a fault.
     */
    protected abstract int readUpstream(byte[] b, int off, int len) throws IOException;

    /** Runs once all {@link #length()} bytes were read (or the upstream ended, for length -1). */
    protected void completed() throws IOException {}

    /** Releases the upstream (connections, channels); runs once. {@code complete}: every byte was read. */
    protected void release(boolean complete) throws IOException {}

    /** The range's length, or -1 when it runs to the end of its upstream. */
    public final long length() {
        return length;
    }

    /** Bytes of the range read so far: where a resumed read starts. */
    public final long position() {
        return position;
    }

    /** What this stream reads, as named in its messages. */
    public final String what() {
        return what;
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw rethrow(failure);
        }
        if (closed) {
            throw new IOException(what + ": stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if (complete) {
            return -1;
        }
        try {
            if (length == 0) {
                finish();
                return -1;
            }
            int want = length < 0 ? len : (int) Math.min(len, length - position);
            int n = readUpstream(b, off, want);
            if (n < 0 && length < 0) {
                finish();
                return -1;
            }
            if (n <= 0) {
                throw new SourceUnavailableException(what + (n < 0 ? " ended after " : " returned no bytes after ")
                        + position + " of its " + length + " bytes (a cut or stalled connection); the read"
                        + " resumes from there");
            }
            if (n > want) {
                throw new IllegalStateException(what + ": upstream read " + n + " bytes where " + want + " were asked");
            }
            position += n;
            if (position == length) {
                finish();
            }
            return n;
        } catch (IOException | RuntimeException | Error e) {
            if (closed && !(e instanceof Error)) {
                throw new IOException(what + ": stream closed", e);
            }
            failure = e;
            throw e;
        }
    }

    private void finish() throws IOException {
        complete = true;
        completed();
    }

    private static IOException rethrow(Throwable failure) {
        if (failure instanceof IOException io) {
            return io;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        throw (Error) failure;
    }

    /** Stops the stream and releases its upstream; later reads fail. Idempotent. */
    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        release(complete);
    }
}
