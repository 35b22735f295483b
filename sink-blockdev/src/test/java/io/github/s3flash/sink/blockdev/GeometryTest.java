package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Geometry from the ioctls equals what {@code blockdev} (util-linux) and sysfs report, for 512- and
 * 4096-byte-sector loop devices; regular files keep their documented geometry; direct I/O is used
 * where the target supports it.
 */
class GeometryTest {

    @TempDir
    Path dir;

    @Test
    void loopDevicesReportTheKernelsGeometry() throws IOException {
        for (int sector : new int[] {512, 4096}) {
            try (LoopDevice loop = LoopDevice.create(dir, 24 << 20, sector,
                    sector == 4096 ? LoopDevice.Backing.DIRECT_IO : LoopDevice.Backing.PAGE_CACHE)) {
                String[] oracle = Disks.run("blockdev", "--getsize64", "--getss", "--getpbsz", loop.device().toString())
                        .trim().split("\\s+");
                try (BlockTarget target = new BlockDeviceSink().open(loop.device(), Options.empty())) {
                    TargetGeometry g = target.geometry();
                    assertThat(g.capacity()).isEqualTo(Long.parseLong(oracle[0])).isEqualTo(24 << 20);
                    assertThat(g.logicalBlockSize()).isEqualTo(Integer.parseInt(oracle[1])).isEqualTo(sector);
                    assertThat(g.physicalBlockSize()).isEqualTo(Math.max(sector, Integer.parseInt(oracle[2])));
                    assertThat(DeviceInfo.sysfsGeometry(loop.device())).isEqualTo(g);
                    assertThat(((ChannelTarget) target).directIo()).isTrue();
                }
            }
        }
    }

    @Test
    void regularFilesAreDisksOfTheirSizeOrGrow() throws IOException {
        Path existing = Files.write(dir.resolve("existing.img"), new byte[12345]);
        try (BlockTarget target = new BlockDeviceSink().open(existing, Options.empty())) {
            assertThat(target.geometry()).isEqualTo(new TargetGeometry(12345, 1, 4096));
            assertThat(((ChannelTarget) target).directIo()).as("ext4 under /work supports O_DIRECT").isTrue();
        }
        Files.write(dir.resolve("created.img"), new byte[777]);
        try (BlockTarget target = new BlockDeviceSink().open(dir.resolve("created.img"),
                Options.of(Map.of("create", "true")))) {
            assertThat(target.geometry()).isEqualTo(new TargetGeometry(Long.MAX_VALUE, 1, 4096));
        }
        assertThat(Files.size(dir.resolve("created.img"))).as("create truncates").isZero();
    }
}
