package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The lock that makes "first write" and "restore" exclusive, under contention. */
class WatchdogTest {

    @Test
    void onceStoodDownItNeverRestores() {
        var w = new Watchdog();
        assertThat(w.standDown()).isTrue();
        assertThat(w.claimRestore()).isFalse();
        assertThat(w.standDown()).isTrue();
        assertThat(w.state()).isEqualTo(Watchdog.State.STOOD_DOWN);
    }

    @Test
    void onceRestoringNothingIsWrittenAndRestoreMayRepeat() {
        var w = new Watchdog();
        assertThat(w.claimRestore()).isTrue();
        assertThat(w.standDown()).isFalse();
        assertThat(w.claimRestore()).isTrue();
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
                if (writer ? w.standDown() : w.claimRestore()) {
                    wins.incrementAndGet();
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
