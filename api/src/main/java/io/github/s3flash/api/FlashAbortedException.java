package io.github.s3flash.api;

/**
 * A flash failed after its first byte was written (past the point of no return): the target now
 * holds a partial image and is not bootable until a flash completes. The cause says why.
 */
public final class FlashAbortedException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final long bytesWritten;

    public FlashAbortedException(String message, long bytesWritten, Throwable cause) {
        super(message, cause);
        this.bytesWritten = bytesWritten;
    }

    /** Image bytes written before the failure. */
    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public boolean retryable() {
        return getCause() instanceof FlashException fe ? fe.retryable() : true;
    }
}
