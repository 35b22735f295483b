package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How users of a device are found and named, on a copy of the kernel's views. A fake, because this
 * kernel has no device-mapper or md driver to make a real holder with (dmsetup: "/dev/mapper/control:
 * open failed"); mounts, partitions and swap are tested for real in {@link RefusalTest}.
 */
class HoldersTest {

    @TempDir
    Path dir;

    @Test
    void namesMountsSwapAndDeviceMapperAndMdHolders() throws IOException {
        Path sys = dir.resolve("sys/class/block");
        Path disk = Files.createDirectories(sys.resolve("sdz"));
        Files.writeString(disk.resolve("dev"), "8:240\n");
        Path part1 = Files.createDirectories(disk.resolve("sdz1"));
        Files.writeString(part1.resolve("partition"), "1\n");
        Files.writeString(part1.resolve("dev"), "8:241\n");
        Path part2 = Files.createDirectories(disk.resolve("sdz2"));
        Files.writeString(part2.resolve("partition"), "2\n");
        Files.writeString(part2.resolve("dev"), "8:242\n");
        Path dm = Files.createDirectories(sys.resolve("dm-3/dm"));
        Files.writeString(dm.resolve("name"), "vg-root\n");
        Files.createDirectories(part2.resolve("holders"));
        Files.createSymbolicLink(part2.resolve("holders/dm-3"), sys.resolve("dm-3"));
        Files.createDirectories(disk.resolve("holders/md127"));

        Path mountinfo = Files.writeString(dir.resolve("mountinfo"),
                "22 1 8:241 / /mnt/my\\040data rw,relatime shared:1 - ext4 /dev/sdz1 rw\n"
                        + "23 1 8:17 / /other rw - ext4 /dev/sdb1 rw\n");
        Path swaps = Files.writeString(dir.resolve("swaps"),
                "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/dev/sdz\tpartition\t1024\t0\t-2\n");
        Path node = Files.createFile(dir.resolve("sdz"));

        var users = DeviceInfo.users(node, new DeviceInfo.SystemFiles(sys, mountinfo, swaps));

        assertThat(users).containsExactly(
                "/dev/sdz is active swap (swapoff /dev/sdz)",
                "/dev/sdz is held by md RAID /dev/md127",
                "/dev/sdz1 is mounted on /mnt/my data",
                "/dev/sdz2 is held by device-mapper vg-root (/dev/dm-3)");
    }

    @Test
    void anUnusedDeviceHasNoUsers() throws IOException {
        Path sys = dir.resolve("sys/class/block");
        Path disk = Files.createDirectories(sys.resolve("vdq"));
        Files.writeString(disk.resolve("dev"), "252:16\n");
        Files.createDirectories(disk.resolve("holders"));
        Path mountinfo = Files.writeString(dir.resolve("mountinfo"), "23 1 8:17 / / rw - ext4 /dev/sdb1 rw\n");
        Path swaps = Files.writeString(dir.resolve("swaps"), "Filename\tType\tSize\tUsed\tPriority\n");

        assertThat(DeviceInfo.users(Files.createFile(dir.resolve("vdq")),
                new DeviceInfo.SystemFiles(sys, mountinfo, swaps))).isEmpty();
    }
}
