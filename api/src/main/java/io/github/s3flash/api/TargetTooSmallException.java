package io.github.s3flash.api;

/** The decoded image does not fit the target. */
public final class TargetTooSmallException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final long needed;
    private final long capacity;

    public TargetTooSmallException(String message, long needed, long capacity) {
        super(message);
        this.needed = needed;
        this.capacity = capacity;
    }

    /** Bytes the image needs (at least; for a stream of unknown length, where it overflowed). */
    public long needed() {
        return needed;
    }

    /** Bytes the target holds. */
    public long capacity() {
        return capacity;
    }
}
