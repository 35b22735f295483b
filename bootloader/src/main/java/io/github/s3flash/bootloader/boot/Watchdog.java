package io.github.s3flash.bootloader.boot;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The original's watchdog, with a lock that makes its two outcomes exclusive: either the flash
 * writes its first byte (the point of no return, and the watchdog stands down for good) or the old
 * boot is restored (and nothing is ever written). Whichever claims the state first wins.
 */
public final class Watchdog {

    public enum State { ARMED, STOOD_DOWN, RESTORING }

    private final AtomicReference<State> state = new AtomicReference<>(State.ARMED);

    public State state() {
        return state.get();
    }

    /** Called before the first write: true if writing may go ahead (the restore can no longer run). */
    public boolean standDown() {
        return state.compareAndSet(State.ARMED, State.STOOD_DOWN) || state.get() == State.STOOD_DOWN;
    }

    /** Called before restoring: true if the restore may run (nothing has been or will be written). */
    public boolean claimRestore() {
        return state.compareAndSet(State.ARMED, State.RESTORING) || state.get() == State.RESTORING;
    }

    /** Runs {@code onExpiry} on a thread of its own after {@code timeout}, unless it stood down. */
    public Thread start(Duration timeout, Runnable onExpiry) {
        return Thread.ofPlatform().name("s3flash-watchdog").daemon().start(() -> {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            if (state.get() != State.STOOD_DOWN) {
                onExpiry.run();
            }
        });
    }
}
