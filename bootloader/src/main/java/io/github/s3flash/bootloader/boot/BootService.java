package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.AmbiguousProviderException;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.InvalidImageException;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.NoProviderException;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.TargetTooSmallException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the in-memory OS runs: wait for the root device, flash, verify, and reboot — or, if nothing
 * could be written before the watchdog fires (or a check fails that can never pass), restore the
 * old boot and reboot into the old OS. After the first byte is written, failures retry the whole
 * flash until it succeeds, since the disk holds no bootable system in between.
 */
public final class BootService {

    /** How the service ended (in real life the machine reboots before anyone reads this). */
    public enum Outcome { FLASHED, RESTORED }

    /** Runs the reboot or power-off command. */
    @FunctionalInterface
    public interface Power {
        void perform(BootConfig.After action) throws IOException;
    }

    private static final List<String> DISK_MODULES = List.of("nvme", "virtio_blk", "virtio_scsi", "xen_blkfront",
            "sd_mod");

    private final BootConfig config;
    private final ProviderRegistry registry;
    private final RootDevice roots;
    private final Power power;
    private final Consumer<String> log;
    private final Function<Duration, ProgressListener> progress;
    private final BootRestorer restorer;
    private final BootState state;
    private final Watchdog watchdog;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicInteger restores = new AtomicInteger();
    private volatile Outcome outcome;
    private volatile Path rootDevice;
    private volatile Thread worker;

    public BootService(BootConfig config, BootState state, ProviderRegistry registry, RootDevice roots, Power power,
            Consumer<String> log, Function<Duration, ProgressListener> progress) {
        this.config = config;
        this.state = state;
        this.watchdog = new Watchdog(state::markWritingStarted, state.writingStarted());
        this.registry = registry;
        this.roots = roots;
        this.power = power;
        this.log = log;
        this.progress = progress;
        this.restorer = new BootRestorer(log);
    }

    public Watchdog watchdog() {
        return watchdog;
    }

    /** Runs until the image is flashed or the old boot is restored; returns which. */
    public Outcome run() throws InterruptedException {
        log.accept("boot mode: flashing " + ImageLocations.redact(config.source()) + " onto root=" + config.root() + "; watchdog "
                + config.watchdog().toSeconds() + " s");
        Duration elapsed = elapsedSinceFirstStart();
        if (state.writingStarted()) {
            log.accept("writing began in an earlier run of the flash service in this boot: the old boot is gone,"
                    + " so the watchdog stays down and the flash is retried until it succeeds");
        } else if (elapsed.toSeconds() > 0) {
            log.accept("the flash service first started " + elapsed.toSeconds() + " s ago in this boot; the watchdog"
                    + " counts from then");
        }
        Duration left = config.watchdog().minus(elapsed);
        Thread timer = watchdog.start(left.isNegative() ? Duration.ZERO : left, () -> restoreAndReboot(
                "watchdog: nothing written " + config.watchdog().toSeconds()
                        + " s after the flash service first started"));
        worker = Thread.ofPlatform().name("s3flash-boot").daemon().start(this::flashUntilDone);
        done.await();
        timer.interrupt();
        worker.interrupt();
        return outcome;
    }

    private Duration elapsedSinceFirstStart() {
        try {
            return state.elapsed();
        } catch (IOException e) {
            log.accept("cannot read the time since the flash service first started (" + e.getMessage()
                    + "); the watchdog counts from now");
            return Duration.ZERO;
        }
    }

    private void flashUntilDone() {
        var gated = ProviderRegistry.of(registry.sources(), registry.codecs(),
                registry.sinks().stream().map(s -> (io.github.s3flash.api.BlockSink) new GatedSink(s, watchdog))
                        .toList());
        var flasher = new Flasher(gated);
        boolean modulesLoaded = false;
        int attempt = 0;
        while (done.getCount() > 0) {
            attempt++;
            try {
                Path device = roots.resolve(config.root());
                if (device == null) {
                    if (!modulesLoaded) {
                        loadDiskModules();
                        modulesLoaded = true;
                        continue;
                    }
                    throw new io.github.s3flash.api.TargetUnavailableException("root device " + roots.path(config.root())
                            + " (root=" + config.root() + ") has not appeared", null, true);
                }
                rootDevice = device;
                FlashPlan plan = new FlashPlan(config.source(), device, config.codec(), config.sha256(),
                        config.options());
                FlashResult result = flasher.flash(plan, progress.apply(config.progressInterval()));
                report(result);
                finish(Outcome.FLASHED, config.after());
                return;
            } catch (IOException | RuntimeException | Error e) {
                // Even an Error (a provider missing a class, say) must not end the service silently:
                // before the first write the watchdog still restores, after it the flash is retried.
                if (done.getCount() == 0 || watchdog.state() == Watchdog.State.RESTORING) {
                    return;
                }
                boolean written = watchdog.state() == Watchdog.State.STOOD_DOWN;
                if (!written && permanent(e)) {
                    restoreAndReboot("a check that can never pass failed: " + e.getMessage());
                    return;
                }
                Duration delay = backOff(attempt);
                String cause = e instanceof Error ? e.toString() : e.getMessage();
                log.accept((written ? "flash failed after writing began (the disk holds a partial image; retrying the"
                        + " whole flash): " : "flash not started: ") + cause + "; attempt " + attempt
                        + ", retrying in " + delay.toMillis() / 1000.0 + " s");
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** A failure that no retry can fix: restoring at once beats waiting out the watchdog. */
    static boolean permanent(Throwable e) {
        return e instanceof TargetTooSmallException || e instanceof InvalidImageException
                || e instanceof NoProviderException || e instanceof AmbiguousProviderException
                || e instanceof CorruptImageException || e instanceof IllegalArgumentException
                || e instanceof InvalidOptionException;
    }

    private static Duration backOff(int attempt) {
        long cap = Math.min(60_000, 1000L << Math.min(attempt - 1, 6));
        return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
    }

    private void loadDiskModules() {
        log.accept("root device " + roots.path(config.root()) + " not present; loading disk drivers " + DISK_MODULES);
        for (String module : DISK_MODULES) {
            try {
                new ProcessBuilder("modprobe", "-q", module).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Restores the old boot and reboots — only if nothing was written, and only once it is claimed. */
    private void restoreAndReboot(String why) {
        if (!watchdog.claimRestore()) {
            log.accept(why + "; but writing has begun, so the old boot is gone: the flash goes on");
            return;
        }
        log.accept(why + "; restoring the original boot from /boot.bak");
        stopWorker();
        Path device = rootDevice != null ? rootDevice : roots.resolve(config.root());
        try {
            if (device == null) {
                log.accept("cannot restore: root device " + roots.path(config.root()) + " is not present");
            } else {
                restores.incrementAndGet();
                restorer.restore(device);
            }
        } catch (IOException e) {
            log.accept("restore failed: " + e.getMessage());
        }
        finish(Outcome.RESTORED, BootConfig.After.REBOOT);
    }

    /** Stops a flash still waiting for its first write, so it lets go of the device before it is mounted. */
    private void stopWorker() {
        Thread flashing = worker;
        if (flashing != null && flashing != Thread.currentThread()) {
            flashing.interrupt();
            try {
                flashing.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** How many times a restore ran (tests check it never runs after the point of no return). */
    public int restores() {
        return restores.get();
    }

    private synchronized void finish(Outcome result, BootConfig.After action) {
        if (done.getCount() == 0) {
            return;
        }
        outcome = result;
        try {
            if (action != BootConfig.After.NONE) {
                log.accept((action == BootConfig.After.REBOOT ? "rebooting" : "powering off")
                        + (result == Outcome.RESTORED ? " into the old OS" : " into the new image"));
                power.perform(action);
            }
        } catch (IOException e) {
            log.accept("could not " + action.name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage());
        } finally {
            done.countDown();
        }
    }

    private void report(FlashResult r) {
        log.accept(String.format(java.util.Locale.ROOT,
                "flashed %s (version %s, %s) onto %s: %d bytes in %.1f s, %.1f MB/s, sha256 %s",
                ImageLocations.redact(r.source()), r.sourceVersion(), r.codec(), r.target(), r.bytesWritten(),
                r.elapsed().toNanos() / 1e9, r.megabytesPerSecond(), r.sha256()));
    }
}
