package io.github.s3flash.bootloader.boot;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The original's watchdog, with a lock that makes its two outcomes exclusive: either the flash
 * writes its first byte (the point of no return, and the watchdog stands down for good) or the old
 * boot is restored (and nothing is ever written). Whichever claims the state first wins.
 */
public final class Watchdog {

    public enum State { ARMED, STOOD_DOWN, RESTORING }

    /** What must hold before the first write may go ahead: the boot state records it. */
    public interface BeforeStandDown {
        void run() throws IOException;
    }

    private final AtomicReference<State> state;
    private final BeforeStandDown beforeStandDown;

    /** A watchdog for a flash that has written nothing yet, with nothing to record at the first write. */
    public Watchdog() {
        this(() -> { }, false);
    }

    /**
     * @param beforeStandDown runs once before the first write (a failure keeps the watchdog armed)
     * @param writingStarted whether an earlier run in this boot has already written: then it starts
     *     stood down, and never restores
     */
    public Watchdog(BeforeStandDown beforeStandDown, boolean writingStarted) {
        this.beforeStandDown = beforeStandDown;
        this.state = new AtomicReference<>(writingStarted ? State.STOOD_DOWN : State.ARMED);
    }

    public State state() {
        return state.get();
    }

    /**
     * Called before the first write: true if writing may go ahead (the restore can no longer run).
     * The first write is recorded first, so that a restarted service knows the old boot is gone.
     */
    public synchronized boolean standDown() throws IOException {
        if (state.get() == State.ARMED) {
            beforeStandDown.run();
        }
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
