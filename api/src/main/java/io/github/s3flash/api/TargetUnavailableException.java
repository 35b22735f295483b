package io.github.s3flash.api;

/**
 * The target cannot be written: missing, not writable, in use (mounted, swap, held by another
 * device), or of a kind no sink handles. The message names what holds or blocks it.
 */
public final class TargetUnavailableException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    /** A target that is unavailable for good: trying again will not help until something changes. */
    public TargetUnavailableException(String message) {
        this(message, null, false);
    }

    /** A target that is unavailable for good, because of {@code cause}. */
    public TargetUnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * A target that is not there yet but may appear (a disk whose driver is still probing it): trying
     * again may succeed.
     */
    public static TargetUnavailableException notYetPresent(String message) {
        return new TargetUnavailableException(message, null, true);
    }

    private TargetUnavailableException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean retryable() {
        return retryable;
    }
}
