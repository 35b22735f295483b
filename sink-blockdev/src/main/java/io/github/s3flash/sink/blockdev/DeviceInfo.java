package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.TargetUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the kernel says about a block device, read from sysfs (stat reports their size as 0). */
final class DeviceInfo {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;
    private static final Path SYS_CLASS_BLOCK = Path.of("/sys/class/block");

    private DeviceInfo() {}

    static boolean isBlockDevice(Path path) throws IOException {
        if (!Files.exists(path)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & S_IFMT) == S_IFBLK;
    }

    static TargetGeometry geometry(Path device) throws IOException {
        Path sys = sysfsDir(device);
        long sectors = readLong(sys.resolve("size"), device);
        Path queue = Files.exists(sys.resolve("partition")) ? sys.getParent().resolve("queue") : sys.resolve("queue");
        int logical = (int) readLong(queue.resolve("logical_block_size"), device);
        int physical = (int) readLong(queue.resolve("physical_block_size"), device);
        // sysfs counts size in 512-byte sectors whatever the device's logical block size.
        return new TargetGeometry(sectors * 512, logical, Math.max(physical, logical));
    }

    /** {@code /sys/class/block/<name>} resolved to its real directory, so a partition's parent is its disk. */
    static Path sysfsDir(Path device) throws IOException {
        Path real = device.toRealPath();
        Path sys = SYS_CLASS_BLOCK.resolve(real.getFileName().toString());
        if (!Files.isDirectory(sys)) {
            throw new TargetUnavailableException("block device " + device + " has no entry in " + SYS_CLASS_BLOCK
                    + "; is sysfs mounted?");
        }
        return sys.toRealPath();
    }

    private static long readLong(Path file, Path device) throws IOException {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            throw new TargetUnavailableException("cannot read " + file + " for block device " + device + ": " + e, e,
                    false);
        }
    }
}
