package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
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
