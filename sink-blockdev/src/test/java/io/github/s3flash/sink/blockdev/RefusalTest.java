package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.NoProviderException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.TargetTooSmallException;
import io.github.s3flash.api.TargetUnavailableException;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal comes before the first write and leaves the device as it was (SHA-256 of its bytes,
 * read with O_DIRECT, before and after): an image too large, a device that is mounted, one whose
 * partition is mounted, one that is active swap, one another program holds exclusively, and a
 * device that does not exist. (An image that is not whole sectors is no refusal: {@link
 * FlashModesTest} writes it, as does the bootloader's PartialSectorTest from every source.)
 */
class RefusalTest {

    private static final int SIZE = 16 << 20;

    @TempDir
    Path dir;

    private final long seed = Seeds.next();
    private final Random random = new Random(seed);

    private static Flasher flasher() {
        return new Flasher(ProviderRegistry.load());
    }

    private FlashPlan plan(byte[] image, Path target) throws IOException {
        return FlashPlan.of(Disks.write(dir, "image.raw", image).toUri(), target).withCodec("raw");
    }

    @Test
    void imageTooLargeIsRefusedUnwritten() throws IOException {
        try (LoopDevice loop = Disks.loop(dir, SIZE, 512, LoopDevice.Backing.PAGE_CACHE, Disks.garbage(random, 1 << 20))) {
            String before = Disks.sha256(loop.device(), SIZE);
            assertThatThrownBy(() -> flasher().flash(plan(TestImages.random(random, SIZE + 512), loop.device())))
                    .isInstanceOf(TargetTooSmallException.class)
                    .hasMessageContaining(loop.device().toString());
            assertThat(Disks.sha256(loop.device(), SIZE)).as(Seeds.describe(seed)).isEqualTo(before);
        }
    }

    @Test
    void mountedDeviceIsRefusedNamingTheMountPoint() throws IOException {
        try (LoopDevice loop = LoopDevice.create(dir, SIZE)) {
            mkfs(loop.device());
            Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
            // Read-only and without journal replay, so the mount itself writes nothing to compare against.
            Disks.run("mount", "-o", "ro,noload", loop.device().toString(), mountPoint.toString());
            try {
                String before = Disks.sha256(loop.device(), SIZE);
                assertThatThrownBy(() -> flasher().flash(plan(TestImages.random(random, 1 << 20), loop.device())))
                        .isInstanceOf(TargetUnavailableException.class)
                        .hasMessageContaining(loop.device() + " is mounted on " + mountPoint)
                        .hasMessageContaining("option force=true").hasMessageNotContaining("--");
                assertThat(Disks.sha256(loop.device(), SIZE)).isEqualTo(before);

                try (BlockTarget forced = new BlockDeviceSink().open(loop.device(), Options.of(java.util.Map.of(
                        "force", "true")))) {
                    assertThat(forced.geometry().capacity()).as("force=true opens it anyway").isEqualTo(SIZE);
                }
            } finally {
                Disks.run("umount", mountPoint.toString());
            }
        }
    }

    @Test
    void deviceWithAMountedPartitionIsRefusedNamingThePartition() throws IOException {
        Path backing = Files.createTempFile(dir, "parted", ".img");
        try (var raf = new java.io.RandomAccessFile(backing.toFile(), "rw")) {
            raf.setLength(SIZE);
        }
        Process sfdisk = new ProcessBuilder("sfdisk", "--quiet", backing.toString()).redirectErrorStream(true).start();
        sfdisk.getOutputStream().write("label: dos\nstart=2048, type=83\n".getBytes());
        sfdisk.getOutputStream().close();
        String out = new String(sfdisk.getInputStream().readAllBytes());
        try {
            assertThat(sfdisk.waitFor()).as("sfdisk: " + out).isZero();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        Path device = Path.of(Disks.run("losetup", "--find", "--show", "--partscan", backing.toString()).trim());
        Path partition = Path.of(device + "p1");
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        boolean mounted = false;
        try {
            if (!appears(partition)) {
                // This kernel's partition scan may not read the table; partx adds it with BLKPG.
                Disks.run("partx", "--add", device.toString());
            }
            if (!appears(partition)) {
                throw new IOException(partition + " did not appear after losetup --partscan and partx --add");
            }
            mkfs(partition);
            Disks.run("mount", "-o", "ro,noload", partition.toString(), mountPoint.toString());
            mounted = true;
            String before = Disks.sha256(device, SIZE);
            assertThatThrownBy(() -> flasher().flash(plan(TestImages.random(random, 1 << 20), device)))
                    .isInstanceOf(TargetUnavailableException.class)
                    .hasMessageContaining(partition + " is mounted on " + mountPoint);
            assertThat(Disks.sha256(device, SIZE)).isEqualTo(before);
        } finally {
            if (mounted) {
                Disks.run("umount", mountPoint.toString());
            }
            Disks.run("losetup", "--detach", device.toString());
        }
    }

    @Test
    void activeSwapIsRefused() throws IOException {
        try (LoopDevice loop = LoopDevice.create(dir, SIZE)) {
            Disks.run("mkswap", loop.device().toString());
            Disks.run("swapon", loop.device().toString());
            try {
                String before = Disks.sha256(loop.device(), SIZE);
                assertThatThrownBy(() -> flasher().flash(plan(TestImages.random(random, 1 << 20), loop.device())))
                        .isInstanceOf(TargetUnavailableException.class)
                        .hasMessageContaining(loop.device() + " is active swap");
                assertThat(Disks.sha256(loop.device(), SIZE)).isEqualTo(before);
            } finally {
                Disks.run("swapoff", loop.device().toString());
            }
        }
    }

    @Test
    void deviceHeldExclusivelyIsRefusedAndCannotBeMountedWhileHeld() throws IOException {
        try (LoopDevice loop = LoopDevice.create(dir, SIZE)) {
            mkfs(loop.device());
            Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
            try (BlockTarget held = new BlockDeviceSink().open(loop.device(), Options.empty())) {
                assertThat(held.geometry().capacity()).isEqualTo(SIZE);
                assertThatThrownBy(() -> new BlockDeviceSink().open(loop.device(), Options.empty()))
                        .isInstanceOf(TargetUnavailableException.class)
                        .hasMessageContaining("is busy");
                assertThatThrownBy(() -> Disks.run("mount", "-o", "ro,noload", loop.device().toString(),
                        mountPoint.toString()))
                        .as("mount while the sink holds the device").isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void missingDeviceIsRefusedAndNothingIsCreated() throws IOException {
        Path missing = Path.of("/dev/s3flash-missing-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE));
        assertThatThrownBy(() -> flasher().flash(plan(TestImages.random(random, 4096), missing)
                .withOption("create", "true")))
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining("no installed sink accepts target " + missing + " (it does not exist)");
        assertThat(missing).doesNotExist();
        assertThatThrownBy(() -> new BlockDeviceSink().open(missing, Options.of(java.util.Map.of("create", "true"))))
                .isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("target device " + missing + " does not exist");
        assertThat(missing).doesNotExist();

        Path missingFile = dir.resolve("no-such-disk.img");
        assertThatThrownBy(() -> new BlockDeviceSink().open(missingFile, Options.empty()))
                .isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining(missingFile + " does not exist")
                .hasMessageContaining("option create=true").hasMessageNotContaining("--");
        assertThat(missingFile).doesNotExist();
    }

    private static void mkfs(Path device) throws IOException {
        Disks.run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", device.toString());
    }

    /** Partition nodes appear asynchronously after a partition scan. */
    private static boolean appears(Path node) throws IOException {
        for (int i = 0; i < 40 && Files.notExists(node); i++) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        return Files.exists(node);
    }
}
