package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The lock that makes "first write" and "restore" exclusive, under contention. */
class WatchdogTest {

    @Test
    void onceStoodDownItNeverRestores() throws IOException {
        var w = new Watchdog();
        assertThat(w.standDown()).isTrue();
        assertThat(w.claimRestore()).isFalse();
        assertThat(w.standDown()).isTrue();
        assertThat(w.state()).isEqualTo(Watchdog.State.STOOD_DOWN);
    }

    @Test
    void onceRestoringNothingIsWrittenAndRestoreMayRepeat() throws IOException {
        var w = new Watchdog();
        assertThat(w.claimRestore()).isTrue();
        assertThat(w.standDown()).isFalse();
        assertThat(w.claimRestore()).isTrue();
    }

    @Test
    void theFirstWriteIsRecordedOnceAndAFailedRecordKeepsItArmed() throws IOException {
        var records = new AtomicInteger();
        var failing = new Watchdog(() -> {
            throw new IOException("read-only file system (injected)");
        }, false);
        assertThatThrownBy(failing::standDown).hasMessageContaining("injected");
        assertThat(failing.state()).isEqualTo(Watchdog.State.ARMED);
        assertThat(failing.claimRestore()).as("nothing was written, so the restore may still run").isTrue();

        var w = new Watchdog(records::incrementAndGet, false);
        assertThat(w.standDown()).isTrue();
        assertThat(w.standDown()).isTrue();
        assertThat(records).hasValue(1);
    }

    /**
     * Item 11 of issue 13: the first write is recorded only after it won. A restore that won first
     * leaves the record untouched, so a restarted service still knows nothing was written.
     */
    @Test
    void aFirstWriteAfterARestoreWonIsNeverRecorded() throws IOException {
        var records = new AtomicInteger();
        var w = new Watchdog(records::incrementAndGet, false);
        assertThat(w.claimRestore()).isTrue();
        assertThat(w.standDown()).isFalse();
        assertThat(records).hasValue(0);
    }

    @Test
    void aRestoreAskedForWhileTheFirstWriteIsRecordedWaitsAndLosesWhenTheRecordIsMade() throws Exception {
        assertThat(restoreAskedForDuringTheRecord(false)).isFalse();
    }

    @Test
    void aRestoreAskedForWhileTheFirstWriteIsRecordedWinsWhenTheRecordFails() throws Exception {
        assertThat(restoreAskedForDuringTheRecord(true)).isTrue();
    }

    /**
     * A first write whose record is held until a restore has asked for the state (and is seen waiting);
     * returns what the restore was told. The watchdog ends stood down, or restoring when the record failed.
     */
    private static boolean restoreAskedForDuringTheRecord(boolean recordFails) throws Exception {
        var recording = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var w = new Watchdog(() -> {
            recording.countDown();
            await(release);
            if (recordFails) {
                throw new IOException("read-only file system (injected)");
            }
        }, false);
        var writer = new java.util.concurrent.CompletableFuture<Boolean>();
        Thread.ofPlatform().start(() -> {
            try {
                writer.complete(w.standDown());
            } catch (IOException e) {
                writer.completeExceptionally(e);
            }
        });
        recording.await();
        var restore = new java.util.concurrent.CompletableFuture<Boolean>();
        Thread.ofPlatform().start(() -> restore.complete(w.claimRestore()));
        Thread.sleep(300);
        assertThat(restore).as("the restore waits while the first write is recorded").isNotDone();
        assertThat(w.state()).isEqualTo(Watchdog.State.STANDING_DOWN);
        release.countDown();
        if (recordFails) {
            assertThat(writer).failsWithin(Duration.ofMinutes(1)).withThrowableThat().withMessageContaining("injected");
        } else {
            assertThat(writer.get()).isTrue();
        }
        boolean told = restore.get();
        assertThat(w.state()).isEqualTo(recordFails ? Watchdog.State.RESTORING : Watchdog.State.STOOD_DOWN);
        return told;
    }

    /** The record itself: after a restore won, the boot state on disk still says nothing was written. */
    @Test
    void theBootStateSaysNothingWasWrittenAfterARestoreWon(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        BootState state = BootState.open(dir, "/dev/vda s3://b/k");
        var w = new Watchdog(state::markWritingStarted, state.writingStarted());
        assertThat(w.claimRestore()).isTrue();
        assertThat(w.standDown()).isFalse();
        assertThat(BootState.open(dir, "/dev/vda s3://b/k").writingStarted()).isFalse();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aWatchdogOfARunAfterWritingBeganNeverFires() throws InterruptedException {
        var w = new Watchdog(() -> { }, true);
        var fired = new AtomicInteger();
        w.start(java.time.Duration.ZERO, fired::incrementAndGet).join();
        assertThat(fired).hasValue(0);
        assertThat(w.claimRestore()).isFalse();
    }

    @RepeatedTest(200)
    void racingWriterAndRestorerNeverBothWin() throws InterruptedException {
        var w = new Watchdog();
        var start = new CountDownLatch(1);
        var wins = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            boolean writer = i % 2 == 0;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    if (writer ? w.standDown() : w.claimRestore()) {
                        wins.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        // Both writers win or both restorers win, never a mix.
        assertThat(wins.get()).isEqualTo(2);
        assertThat(w.state()).isIn(Watchdog.State.STOOD_DOWN, Watchdog.State.RESTORING);
    }
}
