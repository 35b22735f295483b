package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boot mode end to end in-process, on real loop devices and a real ext4 root: flash and reboot once;
 * restore and reboot when nothing can be written before the watchdog; restore at once when a check
 * can never pass; never restore after the first write, retrying the whole flash instead.
 */
@Timeout(120)
class BootServiceTest {

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();
    private final List<BootConfig.After> powerActions = new CopyOnWriteArrayList<>();

    private BootService service(String cmdline, ProviderRegistry registry) throws IOException {
        BootConfig config = BootConfig.from(KernelCommandLine.parse(cmdline));
        return new BootService(config, state(config), registry, new RootDevice(Path.of("/dev")), powerActions::add,
                log::add, interval -> ProgressListener.NONE);
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
                    + " s3flash.codec=raw s3flash.watchdog=60", ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.FLASHED);
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
            assertThat(service.restores()).isZero();
            assertThat(log).anyMatch(l -> l.contains("sha256 " + TestImages.sha256(image)));
        }
    }

    @Test
    void aSourceThatNeverAppearsRestoresTheOldBootWhenTheWatchdogFires() throws Exception {
        try (var root = Ext4RootFixture.create(dir)) {
            var service = service("root=" + root.device() + " source=" + dir.resolve("not-yet-uploaded.img").toUri()
                    + " s3flash.codec=raw s3flash.watchdog=3", ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(log).anyMatch(l -> l.startsWith("flash not started: image file"))
                    .anyMatch(l -> l.startsWith("watchdog: nothing written 3 s after the flash service first started"));
        }
    }

    @Test
    void anImageTooLargeRestoresAtOnceWithoutWaitingForTheWatchdog() throws Exception {
        Path source = dir.resolve("huge.img");
        try (var raf = new java.io.RandomAccessFile(source.toFile(), "rw")) {
            raf.setLength(64L << 20);
        }
        try (var root = Ext4RootFixture.create(dir)) {
            var service = service("root=" + root.device() + " source=" + source.toUri()
                    + " s3flash.codec=raw s3flash.watchdog=3600", ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(log).anyMatch(l -> l.startsWith("a check that can never pass failed: image")
                    && l.contains("holds only " + (32 << 20) + " bytes"));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
        }
    }

    /**
     * A {@code flaky:} source over a real file that, for its first two flashes, stalls past the
     * watchdog after 5 MiB (so chunks are already on the disk) and then breaks (fault injection: a
     * network that dies mid-flash).
     */
    private static final class FlakySource implements ImageSource {
        final AtomicInteger opens = new AtomicInteger();
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
                                try {
                                    Thread.sleep(2500);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
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
                    + " s3flash.codec=raw s3flash.watchdog=1 s3flash.option.chunk-size=1m"
                    + " s3flash.option.retry.attempts=1", registry);
            assertThat(service.run()).isEqualTo(BootService.Outcome.FLASHED);
            assertThat(service.restores()).isZero();
            assertThat(flaky.opens).hasValue(3);
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            assertThat(powerActions).containsExactly(BootConfig.After.REBOOT);
            assertThat(service.watchdog().state()).isEqualTo(Watchdog.State.STOOD_DOWN);
            assertThat(log).filteredOn(l -> l.startsWith("flash failed after writing began")).hasSize(2);
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

    /** A restart before any write keeps the first start's deadline: the watchdog does not begin anew. */
    @Test
    void aRestartBeforeAnyWriteKeepsTheWatchdogDeadlineOfTheFirstStart() throws Exception {
        try (var root = Ext4RootFixture.create(dir)) {
            String cmdline = "root=" + root.device() + " source=" + dir.resolve("never.img").toUri()
                    + " s3flash.codec=raw s3flash.watchdog=4";
            BootState first = state(BootConfig.from(KernelCommandLine.parse(cmdline)));
            Thread.sleep(2200);
            var service = service(cmdline, ProviderRegistry.load());
            assertThat(service.run()).isEqualTo(BootService.Outcome.RESTORED);
            assertThat(first.elapsed()).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(4));
            assertThat(log).anyMatch(l -> l.startsWith("the flash service first started 2 s ago in this boot"))
                    .anyMatch(l -> l.startsWith("watchdog: nothing written 4 s after the flash service first started"));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
        }
    }
}
