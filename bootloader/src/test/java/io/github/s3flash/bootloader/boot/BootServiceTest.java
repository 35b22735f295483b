package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boot mode end to end in-process, on real loop devices and real ext4 file systems: flash and reboot
 * once; restore and reboot when nothing can be written before the watchdog; restore at once when a
 * check can never pass; never restore after the first write, retrying the whole flash instead; wait
 * for a flash worker that still holds the disk before restoring; stay up when no restore is possible.
 * Where an outcome depends on when the watchdog fires, the test fires it (or turns the clock).
 */
@Timeout(120)
class BootServiceTest {

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<BootConfig.After> powerActions = new CopyOnWriteArrayList<>();

    private BootService service(String cmdline, ProviderRegistry registry) throws IOException {
        return service(cmdline, registry, Duration.ofSeconds(30));
    }

    private BootService service(String cmdline, ProviderRegistry registry, Duration workerGrace) throws IOException {
        BootConfig config = BootConfig.from(KernelCommandLine.parse(cmdline));
        return new BootService(config, state(config), registry, new RootDevice(Path.of("/dev")), powerActions::add,
                log::add, interval -> ProgressListener.NONE, workerGrace, BootService.BACK_OFF);
    }

    /** The state a run of the service in this boot keeps, in this test's directory, as /run/s3flash. */
    private BootState state(BootConfig config) throws IOException {
        return BootState.open(dir.resolve("run"), config.root() + " " + config.source());
    }

    @Test
    void flashesTheImageAndRebootsOnce() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 6 << 20);
        Path source = Files.write(dir.resolve("os.img"), image);
        try (var loop = LoopDevice.create(dir, 8 << 20)) {
            var service = service("root=" + loop.device() + " source=" + source.toUri()
                    + " s3flash.codec=raw s3flash.watchdog=60 s3flash.sha256=" + TestImages.sha256(image),
                    ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.FLASHED);
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
            assertThat(service.restores()).isZero();
            assertThat(log).anyMatch(l -> l.contains("sha256 " + TestImages.sha256(image)))
                    .noneMatch(l -> l.contains("not checked against a known hash"));
        }
    }

    @Test
    void aFlashWithoutAKnownHashSaysSoOnTheConsole() throws Exception {
        byte[] image = TestImages.diskLike(new Random(5), 1 << 20);
        Path source = Files.write(dir.resolve("os.img"), image);
        try (var loop = LoopDevice.create(dir, 2 << 20)) {
            var service = service("root=" + loop.device() + " source=" + source.toUri()
                    + " s3flash.codec=raw s3flash.watchdog=60", ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.FLASHED);
            assertThat(log).anyMatch(l -> l.startsWith("the image is not checked against a known hash: there is no"
                    + " s3flash.sha256= or s3flash.digest= on the kernel command line and no trusted keys in the"
                    + " initrd"));
        }
    }

    @Test
    void theConsoleSaysWhichTrustAPinnedDigestGives() {
        String digest = "ab".repeat(32);
        BootConfig config = BootConfig.from(KernelCommandLine.parse("root=/dev/vda source=bucket/os.img.lz4"
                + " s3flash.digest=" + digest.toUpperCase(java.util.Locale.ROOT)));
        assertThat(config.imageDigest()).isEqualTo(digest);
        assertThat(config.options().get("delta", null)).as("delta is on by default in boot mode").isEqualTo("true");
        assertThat(BootService.trustLine(config)).startsWith("the image must be an indexed image with digest "
                + digest + " (s3flash.digest=)");
        assertThat(BootConfig.from(KernelCommandLine.parse("root=/dev/vda source=bucket/os.img.lz4"
                + " s3flash.delta=false")).options().get("delta", null)).isEqualTo("false");
    }

    @Test
    void aSourceThatNeverAppearsRestoresTheOldBootWhenTheWatchdogFires() throws Exception {
        String source = dir.resolve("not-yet-uploaded.img").toUri().toString();
        try (var root = Ext4RootFixture.create(dir, source)) {
            var service = service("root=" + root.device() + " source=" + source + " s3flash.codec=raw"
                    + " s3flash.watchdog=3", ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(log).anyMatch(l -> l.startsWith("flash not started: image file"))
                    .anyMatch(l -> l.startsWith("watchdog: nothing written 3 s after the flash service first started"));
        }
    }

    @Test
    void theWatchdogRestoresASeparateBootFileSystemNamedByUuid() throws Exception {
        String source = dir.resolve("never.img").toUri().toString();
        try (var root = Ext4RootFixture.separateBoot(dir, source)) {
            BootConfig config = BootConfig.from(KernelCommandLine.parse(root.grubArguments(source)
                    + " s3flash.codec=raw s3flash.watchdog=2"));
            var service = new BootService(config, state(config), ProviderRegistry.load(),
                    new RootDevice(root.devTree(dir.resolve("dev"))), powerActions::add, log::add,
                    interval -> ProgressListener.NONE);
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(root.bootFiles()).isEqualTo(Ext4RootFixture.oldBootFiles(""));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredRootOfSeparateBoot());
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
            assertThat(log).contains("restored the /boot file system " + root.bootDevice() + " from /boot.bak on "
                    + root.device());
        }
    }

    @Test
    void aWatchdogWithNothingToRestoreStaysUpInsteadOfRebootingIntoTheBootloaderAgain() throws Exception {
        String source = dir.resolve("never.img").toUri().toString();
        try (var loop = LoopDevice.create(dir, 4 << 20)) {
            var service = service("root=" + loop.device() + " source=" + source + " s3flash.codec=raw"
                    + " s3flash.watchdog=1", ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.STAYING_UP);
            assertThat(powerActions).isEmpty();
            assertThat(log).anyMatch(l -> l.startsWith("restore failed: cannot restore the old boot"))
                    .anyMatch(l -> l.startsWith("no restore is possible, so this machine stays up"));
        }
    }

    @Test
    void anImageTooLargeRestoresAtOnceWithoutWaitingForTheWatchdog() throws Exception {
        Path file = dir.resolve("huge.img");
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(64L << 20);
        }
        String source = file.toUri().toString();
        try (var root = Ext4RootFixture.create(dir, source)) {
            var service = service("root=" + root.device() + " source=" + source
                    + " s3flash.codec=raw s3flash.watchdog=3600", ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(log).anyMatch(l -> l.startsWith("a check that can never pass failed: image")
                    && l.contains("holds only " + (32 << 20) + " bytes"));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
        }
    }

    /**
     * Item 2 of issue 13: boot mode writes block devices only. A root= that is a regular file under /dev,
     * with the sink's create option (which truncates a file when it opens it), leaves the file as it was.
     */
    @Test
    void aRootThatIsNotABlockDeviceIsNeverOpenedEvenWithCreate() throws Exception {
        Path shm = Files.createTempFile(Path.of("/dev/shm"), "s3flash-root", ".img");
        try {
            byte[] old = TestImages.random(new Random(9), 1 << 20);
            Files.write(shm, old);
            Path image = Files.write(dir.resolve("os.img"), TestImages.random(new Random(10), 1 << 20));
            BootConfig parsed = BootConfig.from(KernelCommandLine.parse("root=" + shm + " source="
                    + image.toUri() + " s3flash.codec=raw s3flash.watchdog=3600"));
            BootConfig config = new BootConfig(parsed.root(), parsed.source(), parsed.codec(), null, parsed.watchdog(),
                    parsed.after(), parsed.progressInterval(), parsed.options().with("create", "true"),
                    parsed.restore(), parsed.imageDigest(), parsed.trustedKeys(), parsed.report());
            var service = new BootService(config, state(config), ProviderRegistry.load(),
                    new RootDevice(Path.of("/dev")), powerActions::add, log::add, interval -> ProgressListener.NONE);
            assertThat(service.run()).isEqualTo(BootService.Outcome.STAYING_UP);
            assertThat(TestImages.sha256(Files.readAllBytes(shm))).isEqualTo(TestImages.sha256(old));
            assertThat(log).anyMatch(l -> l.contains("which is not a block device under /dev"));
            assertThat(powerActions).isEmpty();
        } finally {
            Files.deleteIfExists(shm);
        }
    }

    /**
     * A {@code flaky:} source over a real file that, for its first two flashes, stops after 5 MiB once
     * a chunk is on the disk, fires the watchdog (the test chooses when, so the outcome does not depend
     * on how fast this machine is), and then breaks: a network that dies mid-flash, after the point of
     * no return.
     */
    private static final class FlakySource implements ImageSource {
        final AtomicInteger opens = new AtomicInteger();
        final AtomicReference<BootService> service = new AtomicReference<>();
        private final ImageSource files;

        FlakySource(ImageSource files) {
            this.files = files;
        }

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public Set<String> schemes() {
            return Set.of("flaky");
        }

        @Override
        public PinnedImage open(URI location, Options options) throws IOException {
            PinnedImage real = files.open(URI.create("file:" + location.getSchemeSpecificPart()), options);
            boolean fail = opens.incrementAndGet() <= 2;
            return new PinnedImage() {
                @Override
                public ImageInfo info() {
                    return real.info();
                }

                @Override
                public InputStream openRange(long offset, long length) throws IOException {
                    return new FilterInputStream(real.openRange(offset, length)) {
                        long position = offset;

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (fail && position >= 5 << 20) {
                                fireWatchdogOnceWritten();
                                throw new SourceUnavailableException("connection reset (injected)");
                            }
                            int n = super.read(b, off, (int) Math.min(len, Math.max(1, (5 << 20) - position)));
                            position += Math.max(n, 0);
                            return n;
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        }

        private void fireWatchdogOnceWritten() throws IOException {
            BootService s = service.get();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (s.watchdog().state() != Watchdog.State.STOOD_DOWN) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("nothing was written within 60 s");
                }
                Thread.onSpinWait();
            }
            s.expireWatchdog();
        }
    }

    @Test
    void afterTheFirstWriteTheWatchdogStandsDownAndTheWholeFlashIsRetried() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 12 << 20);
        Path source = Files.write(dir.resolve("os.img"), image);
        ProviderRegistry installed = ProviderRegistry.load();
        var flaky = new FlakySource(installed.sources().getFirst());
        var registry = ProviderRegistry.of(
                Stream.concat(installed.sources().stream(), Stream.of(flaky)).toList(),
                installed.codecs(), installed.sinks());
        try (var loop = LoopDevice.create(dir, 16 << 20)) {
            var service = service("root=" + loop.device() + " source=flaky:" + source
                    + " s3flash.codec=raw s3flash.watchdog=3600 s3flash.option.chunk-size=1m"
                    + " s3flash.option.retry.attempts=1", registry);
            flaky.service.set(service);
            assertThat(service.run()).isEqualTo(BootService.Outcome.FLASHED);
            assertThat(service.restores()).isZero();
            assertThat(flaky.opens).hasValue(3);
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
            assertThat(service.watchdog().state()).isEqualTo(Watchdog.State.STOOD_DOWN);
            assertThat(log).filteredOn(l -> l.startsWith("flash failed after writing began")).hasSize(2)
                    .allMatch(l -> l.contains("then opening flaky:" + source + " anew and flashing the whole image"
                            + " again (an object replaced meanwhile is picked up; attempts go on, at most 5 min apart"));
            assertThat(log).filteredOn(l -> l.contains("but writing has begun, so the old boot is gone")).hasSize(2);
        }
    }

    /**
     * The in-memory OS restarts the flash service when its JVM dies. A run after one that began writing
     * must never restore the old boot (the disk holds a partial image), however long its watchdog:
     * it flashes once the source is there.
     */
    @Test
    void aRestartAfterWritingBeganNeverRestoresAndFlashesWhenTheSourceAppears() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 4 << 20);
        Path source = dir.resolve("late.img");
        try (var loop = LoopDevice.create(dir, 8 << 20)) {
            String cmdline = "root=" + loop.device() + " source=" + source.toUri()
                    + " s3flash.codec=raw s3flash.watchdog=1";
            // The run that died after its first write.
            state(BootConfig.from(KernelCommandLine.parse(cmdline))).markWritingStarted();
            var service = service(cmdline, ProviderRegistry.load());
            var uploaded = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(3000);
                    Files.write(source, image);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(service.run()).isEqualTo(BootService.Outcome.FLASHED);
            uploaded.join();
            assertThat(service.restores()).isZero();
            assertThat(service.watchdog().state()).isEqualTo(Watchdog.State.STOOD_DOWN);
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            assertThat(log).anyMatch(l -> l.startsWith("writing began in an earlier run of the flash service"))
                    .anyMatch(l -> l.startsWith("flash failed after writing began") && l.contains("does not exist"))
                    .noneMatch(l -> l.startsWith("watchdog:"));
        }
    }

    /**
     * A restart before any write keeps the first start's deadline: the watchdog does not begin anew. The
     * kernel's clock is turned by hand: the restart comes 2.5 s of uptime after the first start.
     */
    @Test
    void aRestartBeforeAnyWriteKeepsTheWatchdogDeadlineOfTheFirstStart() throws Exception {
        String source = dir.resolve("never.img").toUri().toString();
        try (var root = Ext4RootFixture.create(dir, source)) {
            String cmdline = "root=" + root.device() + " source=" + source + " s3flash.codec=raw s3flash.watchdog=4";
            BootConfig config = BootConfig.from(KernelCommandLine.parse(cmdline));
            String job = config.root() + " " + config.source();
            BootState.open(dir.resolve("run"), job, () -> 100.0);
            long restarted = System.nanoTime();
            BootState state = BootState.open(dir.resolve("run"), job,
                    () -> 102.5 + (System.nanoTime() - restarted) / 1e9);
            var service = new BootService(config, state, ProviderRegistry.load(), new RootDevice(Path.of("/dev")),
                    powerActions::add, log::add, interval -> ProgressListener.NONE);
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(log).anyMatch(l -> l.startsWith("the flash service first started 2 s ago in this boot"))
                    .anyMatch(l -> l.startsWith("watchdog: nothing written 4 s after the flash service first started"));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
        }
    }

    /** A sink whose targets stay busy in {@code geometry()} for a while, deaf to interrupts, holding the device open. */
    private static final class SlowToLetGoSink extends WrappingSink {
        private final Duration busy;

        SlowToLetGoSink(BlockSink sink, Duration busy) {
            super(sink);
            this.busy = busy;
        }

        @Override
        BlockTarget wrap(BlockTarget opened) {
            return new ForwardingTarget(opened) {
                @Override
                public TargetGeometry geometry() {
                    long end = System.nanoTime() + busy.toNanos();
                    boolean interrupted = false;
                    while (System.nanoTime() < end) {
                        try {
                            Thread.sleep(Duration.ofNanos(Math.max(1, end - System.nanoTime())));
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    return super.geometry();
                }
            };
        }
    }

    /**
     * Item 10 of issue 13: the watchdog fires while the flash worker holds the root device open
     * exclusively (and does not answer its interrupt for a while). The restore waits for it to let go,
     * saying so, rather than failing to mount the disk.
     */
    @Test
    void theRestoreWaitsForAFlashWorkerThatStillHoldsTheDisk() throws Exception {
        Path image = Files.write(dir.resolve("os.img"), TestImages.random(new Random(4), 1 << 20));
        String source = image.toUri().toString();
        ProviderRegistry installed = ProviderRegistry.load();
        var registry = ProviderRegistry.of(installed.sources(), installed.codecs(),
                installed.sinks().stream().map(s -> (BlockSink) new SlowToLetGoSink(s, Duration.ofSeconds(4)))
                        .toList());
        try (var root = Ext4RootFixture.create(dir, source)) {
            var service = service("root=" + root.device() + " source=" + source + " s3flash.codec=raw"
                    + " s3flash.watchdog=1", registry, Duration.ofMillis(200));
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(log).anyMatch(l -> l.startsWith("the flash worker still holds root=" + root.device()))
                    .anyMatch(l -> l.equals("restored /boot from /boot.bak on " + root.device()));
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
        }
    }
}
