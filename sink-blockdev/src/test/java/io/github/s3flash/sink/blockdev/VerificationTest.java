package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.VerificationFailedException;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-back verification ({@code verify=true}) re-reads what was written with direct I/O at force()
 * and catches bytes changed after the write: here, by writing to the loop device's backing file (a
 * plain loop reads its backing file through the page cache, so the device then returns the change).
 */
class VerificationTest {

    private static final int CHUNK = 1 << 20;
    private static final Options VERIFY = Options.of(Map.of("verify", "true"));

    @TempDir
    Path dir;

    private final long seed = Seeds.next();
    private final Random random = new Random(seed);

    @Test
    void corruptionBetweenWriteAndForceIsCaught() throws IOException {
        try (LoopDevice loop = Disks.loop(dir, 8 << 20, 512, LoopDevice.Backing.PAGE_CACHE, Disks.garbage(random, 1 << 20));
                BlockTarget target = new BlockDeviceSink().open(loop.device(), VERIFY)) {
            writeChunks(target, 4);
            target.zero(4L * CHUNK, CHUNK);
            int at = random.nextInt(5 * CHUNK);
            corrupt(loop.backingFile(), at);
            assertThatThrownBy(target::force)
                    .as(Seeds.describe(seed))
                    .isInstanceOf(VerificationFailedException.class)
                    .hasMessageContaining("read-back verification of " + loop.device() + " failed");
        }
    }

    @Test
    void untouchedWritesVerify() throws IOException {
        try (LoopDevice loop = Disks.loop(dir, 8 << 20, 512, LoopDevice.Backing.PAGE_CACHE, Disks.garbage(random, 1 << 20));
                BlockTarget target = new BlockDeviceSink().open(loop.device(), VERIFY)) {
            writeChunks(target, 4);
            target.zero(4L * CHUNK, CHUNK);
            target.force();
            // What force() verified is cleared; a later corruption of it is not reported again.
            writeChunks(target, 1);
            target.force();
        }
    }

    @Test
    void corruptionOfARegularFileIsCaught() throws IOException {
        Path file = dir.resolve("disk.img");
        try (BlockTarget target = new BlockDeviceSink().open(file, VERIFY.with("create", "true"))) {
            writeChunks(target, 3);
            corrupt(file, random.nextInt(3 * CHUNK));
            assertThatThrownBy(target::force).as(Seeds.describe(seed)).isInstanceOf(VerificationFailedException.class);
        }
    }

    @Test
    void corruptionDuringAPipelineFlashIsCaught() throws IOException {
        byte[] image = TestImages.diskLike(random, 6 * CHUNK + 512);
        Path imageFile = Disks.write(dir, "image.raw", image);
        try (LoopDevice loop = Disks.loop(dir, 8 << 20, 512, LoopDevice.Backing.PAGE_CACHE, Disks.garbage(random, 1 << 20))) {
            // The last Progress event comes after the last write and before the pipeline's force().
            var plan = FlashPlan.of(imageFile.toUri(), loop.device()).withCodec("raw").withOptions(VERIFY);
            assertThatThrownBy(() -> new Flasher(ProviderRegistry.load()).flash(plan, event -> {
                if (event instanceof ProgressEvent.Progress p && p.bytesWritten() == image.length) {
                    try {
                        corrupt(loop.backingFile(), random.nextInt(image.length));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }))
                    .as(Seeds.describe(seed))
                    .isInstanceOf(VerificationFailedException.class)
                    .hasMessageContaining(loop.device().toString());
        }
    }

    private void writeChunks(BlockTarget target, int chunks) throws IOException {
        for (int i = 0; i < chunks; i++) {
            ByteBuffer data = ByteBuffer.allocateDirect(CHUNK + 4096).alignedSlice(4096).limit(CHUNK);
            data.put(TestImages.random(random, CHUNK)).flip();
            target.write((long) i * CHUNK, data);
        }
    }

    /** Flips one byte of the file behind the target's back. */
    private static void corrupt(Path file, int at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) ~b.get(0)).rewind();
            ch.write(b, at);
        }
        assertThat(Files.size(file)).isGreaterThan(at);
    }
}
