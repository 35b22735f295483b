package io.github.s3flash.api.internal;

import io.github.s3flash.api.RangeInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;

/**
 * A stream handed over as whole blocks, in order, from fetcher threads: the reader copies out of
 * the current block and takes the next when it is used up. Before its end is reported, a last check
 * runs (see {@link io.github.s3flash.api.ImageStreams#open}).
 */
public abstract class BlockStream extends RangeInputStream {

    /** What runs once the last byte was read, before the end is reported. */
    @FunctionalInterface
    public interface EndCheck {
        EndCheck NONE = () -> {};

        void check() throws IOException;
    }

    private static final byte[] EMPTY = new byte[0];

    private final EndCheck endCheck;
    private byte[] current = EMPTY;
    private int position;

    protected BlockStream(String what, long length, EndCheck endCheck) {
        super(what, length);
        this.endCheck = endCheck;
    }

    @Override
    protected final void completed() throws IOException {
        endCheck.check();
    }

    /** The next block in order (waiting for it), or null after the last one. */
    protected abstract byte[] nextBlock() throws IOException;

    /** The reader is done with {@code block}; it may be filled again. */
    protected abstract void recycle(byte[] block);

    /** A wait for the next block: a queue's take, a future's get. */
    @FunctionalInterface
    protected interface Wait<T> {
        T get() throws InterruptedException, ExecutionException;
    }

    /**
     * What {@code wait} waits for. An interrupt of the reader ends the read; a failure of the
     * fetcher is thrown here as it was thrown there ({@link #thrownAsIs}).
     */
    protected final <T> T await(Wait<T> wait) throws IOException {
        try {
            return wait.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + what());
        } catch (ExecutionException e) {
            throw thrownAsIs(e.getCause());
        }
    }

    /**
     * {@code failure} of a fetcher thread, to be thrown on the reader's: an I/O error, a runtime
     * exception and an Error as they were (the latter two thrown from here), anything else wrapped.
     */
    static IOException thrownAsIs(Throwable failure) {
        if (failure instanceof IOException io) {
            return io;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IOException("fetching the image failed: " + failure, failure);
    }

    @Override
    protected final int readUpstream(byte[] b, int off, int len) throws IOException {
        while (position == current.length) {
            if (current != EMPTY) {
                recycle(current);
                current = EMPTY;
            }
            byte[] next = nextBlock();
            if (next == null) {
                return -1;
            }
            current = next;
            position = 0;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }
}
