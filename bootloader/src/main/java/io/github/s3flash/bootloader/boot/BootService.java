package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.AmbiguousProviderException;
import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.InvalidImageException;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.NoProviderException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.TargetTooSmallException;
import io.github.s3flash.api.TargetUnavailableException;
import io.github.s3flash.api.VerificationFailedException;
import io.github.s3flash.api.index.UntrustedImageException;
import io.github.s3flash.api.sshsig.AllowedSigners;
import io.github.s3flash.bootloader.ExitCode;
import io.github.s3flash.bootloader.report.FlashReport;
import io.github.s3flash.bootloader.report.FlashReportRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the in-memory OS runs: wait for the root device, flash, verify, and reboot — or, if nothing
 * could be written before the watchdog fires (or a check fails that can never pass), restore the
 * old boot and reboot into the old OS. After the first byte is written, failures retry the whole
 * flash until it succeeds, since the disk holds no bootable system in between.
 *
 * <p>Every way out boots a system or says why it cannot: a command line boot mode cannot use
 * restores the old boot at once ({@link #unusableCommandLine}); only when no restore is possible (no
 * usable {@code root=}, no root device, no {@code /boot.bak} where GRUB reads) does the service end
 * with {@link Outcome#STAYING_UP}, and the in-memory OS stays up for SSH.
 */
public final class BootService {

    /** Where the initrd holds the trusted keys ({@code s3flash initrd add-trusted-key}, add_trusted_key.sh). */
    public static final Path TRUSTED_KEYS = Path.of("/etc/s3flash/allowed_signers");

    /** How the service ended (in real life the machine reboots before anyone reads this, unless it stays up). */
    public enum Outcome { FLASHED, RESTORED, STAYING_UP }

    /** Runs the reboot or power-off command. */
    @FunctionalInterface
    public interface Power {
        void perform(BootConfig.After action) throws IOException;
    }

    private static final List<String> DISK_MODULES = List.of("nvme", "virtio_blk", "virtio_scsi", "xen_blkfront",
            "sd_mod");
    /**
     * The waits between whole flash attempts: the api's retry policy (its jitter), doubling from a
     * second to at most five minutes, without end. After the point of no return each attempt
     * downloads the image again and an operator may be replacing the object meanwhile: the cap keeps
     * that to a few downloads an hour.
     */
    static final RetryPolicy BACK_OFF = RetryPolicy.unlimited(Duration.ofSeconds(1), Duration.ofMinutes(5));

    /** How long reports still in flight may hold up a reboot, a power-off or the end of the service. */
    private static final Duration REPORT_GRACE = Duration.ofSeconds(30);
    private static final String STAYING_UP = "no restore is possible, so this machine stays up in the in-memory OS"
            + " (SSH as root with a key added by add_ssh_key.sh); nothing reboots it";

    private final BootConfig config;
    private final ProviderRegistry registry;
    private final RootDevice roots;
    private final Power power;
    private final Consumer<String> log;
    private final Function<Duration, ProgressListener> progress;
    private final BootRestorer restorer;
    private final BootState state;
    private final Watchdog watchdog;
    private final Duration workerGrace;
    private final RetryPolicy backOff;
    private final BootReporter reporter;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicBoolean restoring = new AtomicBoolean();
    private final AtomicInteger restores = new AtomicInteger();
    private volatile Outcome outcome;
    private volatile Path rootDevice;
    private volatile Thread worker;
    private volatile int attempts;
    private volatile FlashReport lastFlash;

    public BootService(BootConfig config, BootState state, ProviderRegistry registry, RootDevice roots, Power power,
            Consumer<String> log, Function<Duration, ProgressListener> progress) {
        this(config, state, registry, roots, power, log, progress, Duration.ofSeconds(30), BACK_OFF);
    }

    /**
     * @param workerGrace how long a restore waits for the flash worker to let go of the disk before it
     *     says on the console that it is still waiting (it waits on: mounting a disk the worker holds
     *     would fail)
     * @param backOff the waits between whole flash attempts
     */
    BootService(BootConfig config, BootState state, ProviderRegistry registry, RootDevice roots, Power power,
            Consumer<String> log, Function<Duration, ProgressListener> progress, Duration workerGrace,
            RetryPolicy backOff) {
        this.config = config;
        this.state = state;
        this.watchdog = new Watchdog(state::markWritingStarted, state.writingStarted());
        this.registry = registry;
        this.roots = roots;
        this.power = power;
        this.log = log;
        this.progress = progress;
        this.restorer = new BootRestorer(log);
        this.workerGrace = workerGrace;
        this.backOff = backOff;
        this.reporter = reporterOf(config, registry, log);
    }

    public Watchdog watchdog() {
        return watchdog;
    }

    /** Runs until the image is flashed, the old boot is restored, or no restore is possible; returns which. */
    public Outcome run() throws InterruptedException {
        log.accept("boot mode: flashing " + ImageLocations.redact(config.source()) + " onto root=" + config.root()
                + "; watchdog " + config.watchdog().toSeconds() + " s");
        log.accept(trustLine(config));
        Duration elapsed = elapsedSinceFirstStart();
        if (state.writingStarted()) {
            log.accept("writing began in an earlier run of the flash service in this boot: the old boot is gone,"
                    + " so the watchdog stays down and the flash is retried until it succeeds");
        } else if (elapsed.toSeconds() > 0) {
            log.accept("the flash service first started " + elapsed.toSeconds() + " s ago in this boot; the watchdog"
                    + " counts from then");
        }
        Duration left = config.watchdog().minus(elapsed);
        Thread timer = watchdog.start(left.isNegative() ? Duration.ZERO : left, this::expireWatchdog);
        worker = Thread.ofPlatform().name("s3flash-boot").daemon().start(this::flashUntilDone);
        done.await();
        timer.interrupt();
        worker.interrupt();
        return outcome;
    }

    /** What the watchdog does when it fires (tests call it to fire it at a moment of their choosing). */
    void expireWatchdog() {
        restoreAndReboot("watchdog: nothing written " + config.watchdog().toSeconds()
                + " s after the flash service first started");
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
                registry.sinks().stream().map(s -> (BlockSink) new GatedSink(s, watchdog)).toList());
        var flasher = new Flasher(gated);
        boolean modulesLoaded = false;
        int attempt = 0;
        while (done.getCount() > 0) {
            attempt++;
            attempts = attempt;
            var recorder = new FlashReportRecorder();
            Path device = null;
            try {
                try {
                    device = roots.resolve(config.root());
                } catch (TargetUnavailableException e) {
                    log.accept(e.getMessage());
                    finish(Outcome.STAYING_UP, BootConfig.After.NONE);
                    return;
                }
                if (device == null) {
                    if (!modulesLoaded) {
                        loadDiskModules(roots.path(config.root()), log);
                        modulesLoaded = true;
                        continue;
                    }
                    throw TargetUnavailableException.notYetPresent("root device " + roots.path(config.root())
                            + " (root=" + config.root() + ") has not appeared");
                }
                rootDevice = device;
                // Boot mode writes block devices only: never create or truncate a file, whatever the options say.
                FlashPlan plan = new FlashPlan(config.source(), device, config.codec(), config.sha256(),
                        config.options().with("create", null), config.trustedKeys(), config.imageDigest());
                ProgressListener console = progress.apply(config.progressInterval());
                FlashResult result = flasher.flash(plan, event -> {
                    console.onEvent(event);
                    recorder.onEvent(event);
                });
                report(result);
                lastFlash = recorder.report("flashed", ExitCode.OK, null, config.source(), device, config.sha256());
                reporter.send("flashed", null, attempt, lastFlash);
                finish(Outcome.FLASHED, config.after());
                return;
            } catch (IOException | RuntimeException | Error e) {
                // Even an Error (a provider missing a class, say) must not end the service silently:
                // before the first write the watchdog still restores, after it the flash is retried.
                if (done.getCount() == 0 || watchdog.state() == Watchdog.State.RESTORING) {
                    return;
                }
                boolean written = watchdog.state() == Watchdog.State.STOOD_DOWN;
                String cause = e instanceof Error ? e.toString() : e.getMessage();
                int exit = e instanceof VerificationFailedException ? ExitCode.VERIFICATION_FAILED
                        : written ? ExitCode.FAILED_AFTER_WRITE : ExitCode.REFUSED;
                lastFlash = recorder.report(FlashReport.outcomeOf(exit), exit, e, config.source(), device,
                        config.sha256());
                if (!written && permanent(e)) {
                    restoreAndReboot("a check that can never pass failed: " + cause);
                    return;
                }
                Duration delay = backOff.delay(attempt);
                String wait = seconds(delay);
                reporter.send("retrying", cause, attempt, lastFlash);
                log.accept(written
                        ? "flash failed after writing began (the disk holds a partial image until a flash completes): "
                                + cause + "; attempt " + attempt + "; waiting " + wait + " s, then opening "
                                + ImageLocations.redact(config.source()) + " anew and flashing the whole image again"
                                + " (an object replaced meanwhile is picked up; attempts go on, at most "
                                + backOff.maxDelay().toMinutes() + " min apart, until one succeeds)"
                        : "flash not started: " + cause + "; attempt " + attempt + ", retrying in " + wait + " s");
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
                || e instanceof InvalidOptionException || e instanceof UntrustedImageException;
    }

    /**
     * What the console says, before the flash, about how the image is checked: against trusted keys
     * baked into the initrd, a pinned image digest, a SHA-256, or only against itself.
     */
    static String trustLine(BootConfig config) {
        if (config.imageDigest() != null) {
            return "the image must be an indexed image with digest " + config.imageDigest() + " (s3flash.digest=):"
                    + " its manifest is checked before the first write, and every chunk against it before it is"
                    + " written";
        }
        if (config.trustedKeys() != null) {
            return "the image must be an indexed image signed by a key of " + config.trustedKeys().source() + " ("
                    + config.trustedKeys().entries().size() + " trusted keys baked into the initrd): the signature is"
                    + " checked before the first write, and every chunk against the signed manifest before it is"
                    + " written; anything else is refused and the old boot restored";
        }
        if (config.sha256() != null) {
            return "the image is checked against s3flash.sha256= once it is written (an indexed image's chunks also"
                    + " against its manifest before they are written)";
        }
        return "the image is not checked against a known hash: there is no s3flash.sha256= or s3flash.digest= on the"
                + " kernel command line and no trusted keys in the initrd, so only the image's own checksums (an"
                + " indexed image's manifest, a codec's checksums) check the bytes";
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }

    private static void loadDiskModules(Path missing, Consumer<String> log) {
        log.accept("root device " + missing + " not present; loading disk drivers " + DISK_MODULES);
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
        if (!restoring.compareAndSet(false, true)) {
            return;
        }
        log.accept(why + "; restoring the original boot from /boot.bak");
        awaitWorker();
        Outcome result = restoreOldBoot(config.restore(), rootDevice, roots, restorer, log);
        if (result == Outcome.RESTORED) {
            restores.incrementAndGet();
            markRestored(state.directory(), why, log);
        }
        reporter.send(result == Outcome.RESTORED ? "restored" : "staying-up", why, attempts, lastFlash);
        finish(result, result == Outcome.RESTORED ? BootConfig.After.REBOOT : BootConfig.After.NONE);
    }

    /**
     * Stops a flash still waiting for its first write and waits until it has let go of the device: the
     * restore mounts it, which fails while the flash holds it open exclusively.
     */
    private void awaitWorker() {
        Thread flashing = worker;
        if (flashing == null || flashing == Thread.currentThread()) {
            return;
        }
        flashing.interrupt();
        try {
            if (!flashing.join(workerGrace)) {
                log.accept("the flash worker still holds root=" + config.root() + " (it cannot write: the restore"
                        + " has won); waiting for it to let go before mounting the disk");
                while (!flashing.join(Duration.ofSeconds(30))) {
                    log.accept("still waiting for the flash worker to let go of root=" + config.root());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Puts the old boot back where GRUB reads it: RESTORED, or STAYING_UP when that is not possible (the
     * console says why).
     */
    private static Outcome restoreOldBoot(RestoreTarget target, Path knownDevice, RootDevice roots,
            BootRestorer restorer, Consumer<String> log) {
        try {
            Path device = knownDevice != null ? knownDevice : roots.resolve(target.root());
            if (device == null) {
                log.accept("cannot restore: root device " + roots.path(target.root()) + " (root=" + target.root()
                        + ") is not present");
                return Outcome.STAYING_UP;
            }
            Path bootFs = null;
            if (target.bootFs() != null) {
                bootFs = roots.resolve(target.bootFs());
                if (bootFs == null) {
                    log.accept("cannot restore: the /boot file system s3flash.bootfs=" + target.bootFs()
                            + " is not present");
                    return Outcome.STAYING_UP;
                }
            }
            restorer.restore(device, bootFs, target.grubArguments());
            return Outcome.RESTORED;
        } catch (IOException e) {
            log.accept("restore failed: " + e.getMessage());
            return Outcome.STAYING_UP;
        }
    }

    /**
     * Records the restore for a restarted service (see {@link BootState#markRestored}); a failure is only
     * said. Nothing is recorded without a state directory ({@link BootState#inMemory}).
     */
    private static void markRestored(Path stateDir, String reason, Consumer<String> log) {
        if (stateDir == null) {
            return;
        }
        try {
            BootState.markRestored(stateDir, reason);
        } catch (IOException e) {
            log.accept("cannot record the restore in " + stateDir + " (" + e.getMessage() + "): if this service is"
                    + " restarted before the reboot, it will not know the old boot is back");
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
        reporter.awaitSent(REPORT_GRACE);
        try {
            perform(power, action, result, log);
        } finally {
            done.countDown();
        }
    }

    private static void perform(Power power, BootConfig.After action, Outcome result, Consumer<String> log) {
        if (result == Outcome.STAYING_UP) {
            log.accept(STAYING_UP);
            return;
        }
        if (action == BootConfig.After.NONE) {
            return;
        }
        log.accept((action == BootConfig.After.REBOOT ? "rebooting" : "powering off")
                + (result == Outcome.RESTORED ? " into the old OS" : " into the new image"));
        try {
            power.perform(action);
        } catch (IOException e) {
            log.accept("could not " + action.name().toLowerCase(Locale.ROOT) + ": " + e.getMessage());
        }
    }

    /**
     * Boot mode, from the kernel command line: a usable one is flashed (or, failing that, the old boot
     * restored) by a service keeping its state in {@code stateDir}; one that cannot be used goes to
     * {@link #unusableCommandLine}.
     */
    public static Outcome boot(KernelCommandLine cmdline, Path stateDir, ProviderRegistry registry, RootDevice roots,
            Power power, Consumer<String> log, Function<Duration, ProgressListener> progress)
            throws InterruptedException {
        return boot(cmdline, stateDir, TRUSTED_KEYS, registry, roots, power, log, progress);
    }

    /**
     * As {@link #boot(KernelCommandLine, Path, ProviderRegistry, RootDevice, Power, Consumer, Function)},
     * with the trusted keys read from {@code trustedKeys} when that file exists: then only an indexed
     * image signed by one of them (or pinned by {@code s3flash.digest=}) is flashed. A file there that
     * cannot be read makes every image untrusted, so nothing is flashed and the old boot is restored.
     */
    public static Outcome boot(KernelCommandLine cmdline, Path stateDir, Path trustedKeys, ProviderRegistry registry,
            RootDevice roots, Power power, Consumer<String> log, Function<Duration, ProgressListener> progress)
            throws InterruptedException {
        Optional<String> restored = BootState.restoredInThisBoot(stateDir);
        if (restored.isPresent()) {
            log.accept("the old boot was put back by an earlier run of the flash service in this boot, which ended"
                    + " before it could reboot");
            // That run may have died before its report was sent: this one reports the restore (the same
            // key, the same outcome) before the reboot, so a fleet still hears of this boot and why.
            String reason = (restored.get().isEmpty() ? "the reason was not recorded" : restored.get())
                    + " (reported by the flash service restarted in the same boot: the run that restored the old"
                    + " boot ended before it could reboot)";
            BootReporter reporter = fullReporterOf(cmdline, registry, log);
            reporter.send("restored", reason, 0, null);
            reporter.awaitSent(REPORT_GRACE);
            perform(power, BootConfig.After.REBOOT, Outcome.RESTORED, log);
            return Outcome.RESTORED;
        }
        BootConfig config;
        try {
            config = BootConfig.from(cmdline);
        } catch (IllegalArgumentException e) {
            return unusableCommandLine(cmdline, e.getMessage(), stateDir, roots, power, log,
                    reporterOf(cmdline, registry, log));
        }
        if (Files.exists(trustedKeys)) {
            try {
                config = config.withTrustedKeys(AllowedSigners.read(trustedKeys));
            } catch (IOException e) {
                return unusableCommandLine(cmdline, "the trusted keys " + trustedKeys + " baked into the initrd"
                        + " cannot be read, so no image can be trusted: " + e.getMessage(), stateDir, roots, power,
                        log, reporterOf(cmdline, registry, log));
            }
        }
        BootState state;
        try {
            state = BootState.open(stateDir, config.root() + " " + config.source());
        } catch (IOException | RuntimeException e) {
            log.accept("cannot keep the flash service's state in " + stateDir + " (" + e.getMessage()
                    + "): the watchdog counts from this start, and if this service is restarted after writing"
                    + " began it cannot know that");
            state = BootState.inMemory();
        }
        return new BootService(config, state, registry, roots, power, log, progress).run();
    }

    /**
     * Where this command line's reports go: with every option it sets (credentials, headers) when it
     * can be used, else as {@link #reporterOf} finds them.
     */
    private static BootReporter fullReporterOf(KernelCommandLine cmdline, ProviderRegistry registry,
            Consumer<String> log) {
        try {
            return reporterOf(BootConfig.from(cmdline), registry, log);
        } catch (IllegalArgumentException e) {
            return reporterOf(cmdline, registry, log);
        }
    }

    /** Where a usable configuration's reports go, with every option it sets. */
    private static BootReporter reporterOf(BootConfig config, ProviderRegistry registry, Consumer<String> log) {
        return config.report() == null ? BootReporter.NONE
                : new BootReporter(config.report(), registry, config.options(), MachineIdentity.read(), log);
    }

    /** Where an unusable command line's restore is reported: its s3flash.report= and endpoint, when valid. */
    private static BootReporter reporterOf(KernelCommandLine cmdline, ProviderRegistry registry,
            Consumer<String> log) {
        Optional<String> report = BootConfig.report(cmdline);
        if (report.isEmpty()) {
            return BootReporter.NONE;
        }
        Options options = BootConfig.endpoint(cmdline).map(e -> Options.empty().with("s3.endpoint", e))
                .orElse(Options.empty());
        return new BootReporter(report.get(), registry, options, MachineIdentity.read(), log);
    }

    /**
     * Boot mode given a command line it cannot use ({@code why}): nothing can be flashed, so when
     * {@code root=} names a disk that appears within the watchdog's time and holds the old boot, it is
     * restored and the machine reboots into the old OS at once. Otherwise no restore is possible and the
     * machine stays up for SSH. The console says which, and why.
     */
    static Outcome unusableCommandLine(KernelCommandLine cmdline, String why, Path stateDir, RootDevice roots,
            Power power, Consumer<String> log, BootReporter reporter) throws InterruptedException {
        log.accept("the kernel command line cannot be used: " + why);
        Optional<RestoreTarget> target = BootConfig.restoreTarget(cmdline);
        String reason = "the kernel command line cannot be used: " + why;
        if (target.isEmpty()) {
            log.accept("root= is missing or unusable, so the disk that holds /boot.bak is unknown");
            reporter.send("staying-up", reason, 0, null);
            reporter.awaitSent(REPORT_GRACE);
            perform(power, BootConfig.After.NONE, Outcome.STAYING_UP, log);
            return Outcome.STAYING_UP;
        }
        Duration wait = BootConfig.watchdog(cmdline);
        log.accept("nothing will be flashed: restoring the original boot from /boot.bak on root=" + target.get().root()
                + " (waiting up to " + wait.toSeconds() + " s for it to appear)");
        Path device = awaitDevice(target.get().root(), wait, roots, log);
        Outcome result = device == null ? Outcome.STAYING_UP
                : restoreOldBoot(target.get(), device, roots, new BootRestorer(log), log);
        if (result == Outcome.RESTORED) {
            markRestored(stateDir, reason, log);
        }
        reporter.send(result == Outcome.RESTORED ? "restored" : "staying-up", reason, 0, null);
        reporter.awaitSent(REPORT_GRACE);
        perform(power, BootConfig.After.REBOOT, result, log);
        return result;
    }

    /** The root device once it appears (disk drivers loaded if it is missing), or null after {@code wait}. */
    private static Path awaitDevice(String root, Duration wait, RootDevice roots, Consumer<String> log)
            throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        boolean modulesLoaded = false;
        while (true) {
            try {
                Path device = roots.resolve(root);
                if (device != null) {
                    return device;
                }
            } catch (TargetUnavailableException e) {
                log.accept(e.getMessage());
                return null;
            }
            if (!modulesLoaded) {
                loadDiskModules(roots.path(root), log);
                modulesLoaded = true;
            } else if (System.nanoTime() - deadline > 0) {
                log.accept("cannot restore: root device " + roots.path(root) + " (root=" + root + ") did not appear in "
                        + wait.toSeconds() + " s");
                return null;
            } else {
                TimeUnit.SECONDS.sleep(1);
            }
        }
    }

    private void report(FlashResult r) {
        log.accept(String.format(Locale.ROOT,
                "flashed %s (version %s, %s) onto %s: %d bytes in %.1f s, %.1f MB/s, sha256 %s",
                ImageLocations.redact(r.source()), r.sourceVersion(), r.codec(), r.target(), r.bytesWritten(),
                r.elapsed().toNanos() / 1e9, r.megabytesPerSecond(), r.sha256() != null ? r.sha256()
                        : "not computed (every chunk checked against the manifest)"));
        if (r.trust() != null) {
            log.accept("trust: " + FlashReportRecorder.trust(r, null) + ": " + r.trust().detail());
        }
        if (r.chunks() != null) {
            log.accept(String.format(Locale.ROOT, "chunks: %d written, %d identical on the disk, %d zero; %d bytes"
                    + " fetched", r.chunks().written(), r.chunks().identical(), r.chunks().zero(), r.bytesRead()));
        }
    }
}
