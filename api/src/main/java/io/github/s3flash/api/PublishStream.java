package io.github.s3flash.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;

/**
 * An object being written to a source's store (a file, an S3 object), all or nothing: bytes written
 * are invisible at {@link #location()} until {@link #commit()} makes the whole object appear at once;
 * {@link #close()} without a commit, or a failure, {@link #abort() aborts}: nothing is left visible
 * and what was stored meanwhile is dropped. Memory is bounded by the source (one or a few parts),
 * whatever the object's size. Returned by {@link ImageSource#publish}.
 *
 * <pre>{@code
 * try (PublishStream out = source.publish(location, options)) {
 *     writer.write(image, out, ...);
 *     out.commit();
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one thread writes, commits and closes.
 */
public abstract class PublishStream extends OutputStream {

    private boolean committed;
    private boolean aborted;

    /** Where the object appears on commit. */
    public abstract URI location();

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    /** Stores {@code len} bytes; subclasses call {@link #ensureOpen()} first. */
    @Override
    public abstract void write(byte[] b, int off, int len) throws IOException;

    /**
     * Makes everything written appear at {@link #location()} as one object, replacing whatever was
     * there; nothing appears when this fails (and the upload is aborted).
     *
     * @return the new object's version as the source pins it (ETag, file identity)
     */
    public final String commit() throws IOException {
        if (committed || aborted) {
            throw new IOException(ImageLocations.redact(location()) + " was already " + (committed ? "committed" : "aborted"));
        }
        try {
            String version = complete();
            committed = true;
            return version;
        } catch (IOException | RuntimeException | Error e) {
            abort();
            throw e;
        }
    }

    /** Drops everything written; nothing appears at {@link #location()}. Idempotent; never throws. */
    public final void abort() {
        if (!committed && !aborted) {
            aborted = true;
            discard();
        }
    }

    /** Aborts unless committed: an upload left unfinished never becomes visible. Idempotent. */
    @Override
    public final void close() {
        abort();
    }

    /** Whether {@link #commit()} succeeded. */
    public final boolean committed() {
        return committed;
    }

    /** Stores the rest and makes the object visible; returns its version. */
    protected abstract String complete() throws IOException;

    /** Drops what was stored; must not throw (a failure to clean up is logged, not raised). */
    protected abstract void discard();

    /** Fails a write after commit or abort, naming the object. */
    protected final void ensureOpen() throws IOException {
        if (committed || aborted) {
            throw new IOException("cannot write to " + ImageLocations.redact(location()) + ": it was already "
                    + (committed ? "committed" : "aborted"));
        }
    }
}
