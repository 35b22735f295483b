package io.github.s3flash.bootloader.boot;

import java.io.IOException;
import java.time.Duration;

/**
 * The original's watchdog, with a lock that makes its two outcomes exclusive: either the flash
 * writes its first byte (the point of no return, and the watchdog stands down for good) or the old
 * boot is restored (and nothing is ever written). Whichever claims the state first wins.
 *
 * <p>The first write is also recorded (the boot state tells a restarted flash service that writing
 * began, so that it never restores over a partly written disk). The record is made only after the
 * first write has won the state, and before the write: first winning, then recording, then writing.
 * <ul>
 *   <li>Recording before winning (as this class once did) could record "writing began" for a restore
 *       that had already won: a service restarted after that restore failed would then never restore,
 *       though nothing was ever written.
 *   <li>While the record is being made the state is {@link State#STANDING_DOWN}: a restore asked for
 *       then waits for the outcome rather than taking "stood down" for granted. If the record fails,
 *       nothing is written, the state goes back to {@link State#ARMED} and that restore goes ahead.
 *   <li>A crash between winning and recording leaves a record saying nothing was written, which is
 *       true; a crash between recording and writing leaves one saying writing began, which only makes
 *       a restarted service retry the flash instead of restoring. No order of crashes lets a restarted
 *       service restore over a written disk.
 * </ul>
 * Thread-safe.
 */
public final class Watchdog {

    public enum State { ARMED, STANDING_DOWN, STOOD_DOWN, RESTORING }

    /** What must hold before the first write may go ahead: the boot state records it. */
    public interface BeforeStandDown {
        void run() throws IOException;
    }

    private final BeforeStandDown beforeStandDown;
    private State state;

    /** A watchdog for a flash that has written nothing yet, with nothing to record at the first write. */
    public Watchdog() {
        this(() -> { }, false);
    }

    /**
     * @param beforeStandDown runs once, after the first write won the state and before it is made (a
     *     failure puts the watchdog back to armed)
     * @param writingStarted whether an earlier run in this boot has already written: then it starts
     *     stood down, and never restores
     */
    public Watchdog(BeforeStandDown beforeStandDown, boolean writingStarted) {
        this.beforeStandDown = beforeStandDown;
        this.state = writingStarted ? State.STOOD_DOWN : State.ARMED;
    }

    public synchronized State state() {
        return state;
    }

    /**
     * Called before the first write: true if writing may go ahead (the restore can no longer run), false
     * if a restore won. The first write is recorded after it won and before it returns.
     */
    public boolean standDown() throws IOException {
        synchronized (this) {
            awaitSettled();
            if (state != State.ARMED) {
                return state == State.STOOD_DOWN;
            }
            state = State.STANDING_DOWN;
        }
        boolean recorded = false;
        try {
            beforeStandDown.run();
            recorded = true;
        } finally {
            synchronized (this) {
                state = recorded ? State.STOOD_DOWN : State.ARMED;
                notifyAll();
            }
        }
        return true;
    }

    /** Called before restoring: true if the restore may run (nothing has been or will be written). */
    public synchronized boolean claimRestore() {
        awaitSettled();
        if (state == State.ARMED) {
            state = State.RESTORING;
        }
        return state == State.RESTORING;
    }

    /**
     * Waits (holding the lock) while a first write is being recorded. The record is a small file in RAM:
     * waiting it out is short, and deciding without it would be wrong, so an interrupt is kept for the
     * caller to see rather than obeyed.
     */
    private void awaitSettled() {
        boolean interrupted = false;
        while (state == State.STANDING_DOWN) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code onExpiry} on a thread of its own after {@code timeout}, unless it stood down. */
    public Thread start(Duration timeout, Runnable onExpiry) {
        return Thread.ofPlatform().name("s3flash-watchdog").daemon().start(() -> {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            if (state() != State.STOOD_DOWN) {
                onExpiry.run();
            }
        });
    }
}
