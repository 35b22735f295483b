package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.TargetUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the kernel says about a block device: its geometry from sysfs (the fallback when the ioctls
 * fail; {@code stat} reports a block device's size as 0) and who uses it, from {@code
 * /proc/self/mountinfo}, {@code /proc/swaps} and the {@code holders} directories of sysfs.
 */
final class DeviceInfo {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    /** Where the kernel's views live; tests point them at copies where the kernel here cannot make one. */
    record SystemFiles(Path sysClassBlock, Path mountinfo, Path swaps) {
        static final SystemFiles LIVE = new SystemFiles(
                Path.of("/sys/class/block"), Path.of("/proc/self/mountinfo"), Path.of("/proc/swaps"));
    }

    private DeviceInfo() {}

    static boolean isBlockDevice(Path path) throws IOException {
        if (!Files.exists(path)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode");
        return (mode & S_IFMT) == S_IFBLK;
    }

    static TargetGeometry sysfsGeometry(Path device) throws IOException {
        Path sys = sysfsDir(device, SystemFiles.LIVE);
        long sectors = readLong(sys.resolve("size"), device);
        Path queue = queueDir(sys);
        int logical = (int) readLong(queue.resolve("logical_block_size"), device);
        int physical = (int) readLong(queue.resolve("physical_block_size"), device);
        // sysfs counts size in 512-byte sectors whatever the device's logical block size.
        return new TargetGeometry(sectors * 512, logical, Math.max(physical, logical));
    }

    /**
     * Whether the device has a write-zeroes command ({@code queue/write_zeroes_max_bytes} above 0):
     * without one, {@code BLKZEROOUT} has the kernel write zero pages, no cheaper than writing zeros.
     * False when sysfs cannot tell.
     */
    static boolean zeroesInDevice(Path device) {
        try {
            return readLong(queueDir(sysfsDir(device, SystemFiles.LIVE)).resolve("write_zeroes_max_bytes"), device) > 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The request queue's directory: a partition has none of its own, its disk's is the one. */
    private static Path queueDir(Path sys) {
        return Files.exists(sys.resolve("partition")) ? sys.getParent().resolve("queue") : sys.resolve("queue");
    }

    /** {@code /sys/class/block/<name>} resolved to its real directory, so a partition's parent is its disk. */
    static Path sysfsDir(Path device, SystemFiles system) throws IOException {
        String name = device.toRealPath().getFileName().toString();
        Path sys = system.sysClassBlock().resolve(name);
        if (!Files.isDirectory(sys)) {
            throw new TargetUnavailableException("block device " + device + " has no entry in "
                    + system.sysClassBlock() + "; is sysfs mounted?");
        }
        return sys.toRealPath();
    }

    /**
     * Everything that uses {@code device} or one of its partitions, one phrase each ("/dev/loop3p1 is
     * mounted on /mnt", "/dev/loop3 is active swap", "/dev/loop3 is held by device-mapper vg-root");
     * empty when nothing does.
     */
    static List<String> users(Path device, SystemFiles system) throws IOException {
        Path sys = sysfsDir(device, system);
        List<Path> devices = new ArrayList<>();
        devices.add(sys);
        try (Stream<Path> children = Files.list(sys)) {
            children.filter(p -> Files.exists(p.resolve("partition"))).sorted().forEach(devices::add);
        }
        List<String> users = new ArrayList<>();
        List<String> mountinfo = Files.exists(system.mountinfo()) ? Files.readAllLines(system.mountinfo()) : List.of();
        List<String> swaps = Files.exists(system.swaps()) ? Files.readAllLines(system.swaps()) : List.of();
        for (Path dev : devices) {
            String name = "/dev/" + dev.getFileName();
            String majorMinor = Files.readString(dev.resolve("dev")).trim();
            for (String line : mountinfo) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[2].equals(majorMinor)) {
                    users.add(name + " is mounted on " + unescape(f[4]));
                }
            }
            for (String line : swaps) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 1 && !f[0].equals("Filename") && sameDevice(unescape(f[0]), name, majorMinor)) {
                    users.add(name + " is active swap (swapoff " + unescape(f[0]) + ")");
                }
            }
            Path holders = dev.resolve("holders");
            if (Files.isDirectory(holders)) {
                try (Stream<Path> held = Files.list(holders)) {
                    for (Path holder : held.sorted().toList()) {
                        users.add(name + " is held by " + describeHolder(holder));
                    }
                }
            }
        }
        return users;
    }

    private static String describeHolder(Path holder) {
        String name = holder.getFileName().toString();
        try {
            Path dmName = holder.resolve("dm/name");
            if (Files.exists(dmName)) {
                return "device-mapper " + Files.readString(dmName).trim() + " (/dev/" + name + ")";
            }
        } catch (IOException e) {
            // The name only makes the message nicer; the holder is reported either way.
        }
        if (name.startsWith("md")) {
            return "md RAID /dev/" + name;
        }
        return "/dev/" + name;
    }

    /** Whether a swap entry names this device: by path, or by device number where the path is another node. */
    private static boolean sameDevice(String swapPath, String name, String majorMinor) {
        if (swapPath.equals(name)) {
            return true;
        }
        try {
            Path p = Path.of(swapPath);
            if (!isBlockDevice(p)) {
                return false;
            }
            long rdev = (Long) Files.getAttribute(p, "unix:rdev");
            return majorMinor(rdev).equals(majorMinor);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** glibc's encoding of {@code dev_t}. */
    static String majorMinor(long rdev) {
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        return major + ":" + minor;
    }

    /** mountinfo and swaps escape space, tab, newline and backslash as octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        var out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static long readLong(Path file, Path device) throws IOException {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            throw new TargetUnavailableException("cannot read " + file + " for block device " + device + ": " + e, e);
        }
    }
}
