package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.WriteRefusedException;

/**
 * The boot gate refused a target's first write, so nothing was written: a restore of the old boot won,
 * or the first write could not be recorded for a restarted flash service. A refusal, not a partial
 * image ({@link WriteRefusedException}).
 */
public final class FirstWriteRefusedException extends WriteRefusedException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    FirstWriteRefusedException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True when the record failed (a later attempt may record it); false once a restore won. */
    @Override
    public boolean retryable() {
        return retryable;
    }
}
