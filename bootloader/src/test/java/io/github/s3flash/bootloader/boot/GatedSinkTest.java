package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.WriteRefusedException;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The point of no return where the bytes go: on a real loop device through the installed block
 * sink, a first write that cannot be recorded, or that comes after a restore began, writes nothing
 * (the device hashes the same before and after); a recorded one writes.
 */
class GatedSinkTest {

    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    private static BlockSink installedSink() {
        return ProviderRegistry.load().sinks().getFirst();
    }

    private static ByteBuffer chunk() {
        ByteBuffer data = ByteBuffer.allocateDirect(64 << 10);
        byte[] bytes = new byte[data.capacity()];
        new Random(3).nextBytes(bytes);
        return data.put(bytes).flip();
    }

    private static void fill(LoopDevice loop) throws IOException {
        byte[] old = new byte[SIZE];
        new Random(11).nextBytes(old);
        try (OutputStream out = Files.newOutputStream(loop.device())) {
            out.write(old);
        }
    }

    @Test
    void aFirstWriteThatCannotBeRecordedWritesNothing() throws IOException {
        var watchdog = new Watchdog(() -> {
            throw new IOException("read-only file system (injected)");
        }, false);
        try (var loop = LoopDevice.create(dir, SIZE)) {
            fill(loop);
            String before = TestImages.sha256(loop.read(SIZE));
            try (BlockTarget target = new GatedSink(installedSink(), watchdog).open(loop.device(), Options.empty())) {
                assertThatThrownBy(() -> target.write(0, chunk())).isInstanceOf(FirstWriteRefusedException.class)
                        .hasMessageContaining("cannot record that writing begins (read-only file system (injected))")
                        .hasMessageContaining("nothing is written");
                assertThatThrownBy(() -> target.zero(0, 4096)).isInstanceOf(WriteRefusedException.class);
            }
            assertThat(TestImages.sha256(loop.read(SIZE))).isEqualTo(before);
            assertThat(watchdog.state()).isEqualTo(Watchdog.State.ARMED);
        }
    }

    @Test
    void afterARestoreBeganNothingIsWritten() throws IOException {
        var watchdog = new Watchdog();
        assertThat(watchdog.claimRestore()).isTrue();
        try (var loop = LoopDevice.create(dir, SIZE)) {
            fill(loop);
            String before = TestImages.sha256(loop.read(SIZE));
            try (BlockTarget target = new GatedSink(installedSink(), watchdog).open(loop.device(), Options.empty())) {
                assertThatThrownBy(() -> target.write(0, chunk())).isInstanceOf(FirstWriteRefusedException.class)
                        .hasMessageContaining("the watchdog is restoring the old boot; nothing is written")
                        .matches(e -> !((FlashException) e).retryable(), "not retryable");
            }
            assertThat(TestImages.sha256(loop.read(SIZE))).isEqualTo(before);
        }
    }

    /**
     * Issue 13 item 4: the gate's refusal of a flash's first write is a refusal of the flash (nothing
     * written: exit 3 in the CLI), not a partial image, and "writing started" is never announced.
     */
    @Test
    void aFlashWhoseFirstWriteTheGateRefusesIsRefusedNotAborted() throws IOException {
        var watchdog = new Watchdog();
        assertThat(watchdog.claimRestore()).isTrue();
        ProviderRegistry installed = ProviderRegistry.load();
        var flasher = new Flasher(ProviderRegistry.of(installed.sources(), installed.codecs(),
                List.of(new GatedSink(installedSink(), watchdog))));
        Path image = Files.write(dir.resolve("os.img"), TestImages.random(new Random(5), 3 * SIZE / 4 + 100));
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (var loop = LoopDevice.create(dir, SIZE)) {
            fill(loop);
            String before = TestImages.sha256(loop.read(SIZE));
            assertThatThrownBy(() -> flasher.flash(FlashPlan.of(image.toUri(), loop.device()).withCodec("raw"),
                    events::add))
                    .isInstanceOf(WriteRefusedException.class)
                    .isNotInstanceOf(FlashAbortedException.class)
                    .hasMessageContaining("the watchdog is restoring the old boot; nothing is written");
            assertThat(events).noneMatch(e -> e instanceof ProgressEvent.WritingStarted);
            assertThat(TestImages.sha256(loop.read(SIZE))).isEqualTo(before);
        }
    }

    @Test
    void aRecordedFirstWriteGoesAhead() throws IOException {
        var records = new AtomicInteger();
        var watchdog = new Watchdog(records::incrementAndGet, false);
        try (var loop = LoopDevice.create(dir, SIZE)) {
            ByteBuffer data = chunk();
            byte[] expected = new byte[data.remaining()];
            data.duplicate().get(expected);
            try (BlockTarget target = new GatedSink(installedSink(), watchdog).open(loop.device(), Options.empty())) {
                target.write(0, data);
                target.write(expected.length, chunk());
                target.force();
            }
            assertThat(loop.read(expected.length)).isEqualTo(expected);
            assertThat(records).hasValue(1);
            assertThat(watchdog.state()).isEqualTo(Watchdog.State.STOOD_DOWN);
        }
    }
}
