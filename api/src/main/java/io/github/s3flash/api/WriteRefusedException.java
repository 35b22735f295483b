package io.github.s3flash.api;

/**
 * A target declined a write and wrote nothing: a gate that is closed (boot mode's watchdog has
 * begun restoring the old boot), a policy, a target that cannot record that writing begins. Thrown
 * by {@link BlockTarget#write} or {@link BlockTarget#zero} only when the target is unchanged by that
 * call; a target that may have written part of the data throws any other {@link java.io.IOException}.
 *
 * <p>When it answers a flash's first write, nothing was written: the flash is refused, not aborted,
 * and the target still holds its old contents. Later in a flash it ends the flash like any failure
 * after the point of no return ({@link FlashAbortedException}).
 */
public class WriteRefusedException extends FlashException {
    private static final long serialVersionUID = 1L;

    public WriteRefusedException(String message) {
        super(message);
    }

    public WriteRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
