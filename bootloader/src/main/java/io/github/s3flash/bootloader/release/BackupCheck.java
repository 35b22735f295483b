package io.github.s3flash.bootloader.release;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The install-time check of {@code grub configure}: the backup of the old boot is where the
 * in-memory OS's restore will look, and what the restore needs to know is recorded. The same steps
 * as configure_bootloader.sh's, in the same order, with the same messages.
 *
 * <p>Two layouts are supported. In both the release is unpacked in {@code /boot} and the backup is
 * {@code /boot.bak} at the top of the file system that holds {@code /boot}'s parent (the root file
 * system), on {@code root=} or one of its partitions (the restore mounts those):
 * <ul>
 *   <li>{@code /boot} a directory of the root file system: the restore renames {@code /boot.bak} back.
 *   <li>{@code /boot} a file system of its own: GRUB reads grub.cfg there, so the restore copies
 *       {@code /boot.bak} onto it. Which file system that is gets recorded on the kernel command line
 *       as {@code s3flash.bootfs=UUID=...}.
 * </ul>
 * The backup must hold {@code grub/grub.cfg}, and not the bootloader's own (a backup made after
 * configuring would make the restore boot the bootloader again).
 */
final class BackupCheck {

    /** A line every grub.cfg this release writes holds, and an old OS's never does. */
    static final String MENU_TITLE = "s3flash: flash a new disk image";

    private BackupCheck() {}

    /**
     * Checks the layout around {@code bootDir} for {@code root}; returns the option to record on the
     * kernel command line, if any.
     *
     * @param bootFs the {@code s3flash.bootfs=} value given, or null
     * @throws IllegalArgumentException what is wrong and what to do
     * @throws IOException a file system or device cannot be read
     */
    static Optional<String> check(Path bootDir, String root, String bootFs) throws IOException {
        Path dir = bootDir.toRealPath();
        Path parent = dir.getParent();
        if (parent == null) {
            throw refuse("the release is unpacked at /: unpack it into /boot");
        }
        boolean separate = dev(dir) != dev(parent);
        if (!separate && !dir.getFileName().toString().equals("boot")) {
            throw refuse(dir + " is not /boot: the restore puts " + parent.resolve("boot.bak") + " back as "
                    + parent.resolve("boot") + ", so unpack the release into the /boot that GRUB reads");
        }
        if (parent.getParent() != null && dev(parent.getParent()) == dev(parent)) {
            throw refuse(parent + " is not the top of a file system: the restore looks for boot.bak at the top of"
                    + " the file system that holds " + dir.getFileName());
        }
        Path backup = parent.resolve("boot.bak");
        if (!Files.isDirectory(backup, LinkOption.NOFOLLOW_LINKS)) {
            throw refuse("there is no " + backup + ": make the backup the restore puts back first (cp -a "
                    + dir + " " + backup + ", before unpacking the release)");
        }
        if (dev(backup) != dev(parent)) {
            throw refuse(backup + " is a file system of its own: the restore looks for it on the file system of "
                    + parent);
        }
        Path cfg = backup.resolve("grub/grub.cfg");
        if (!Files.isRegularFile(cfg)) {
            throw refuse(backup + " holds no grub/grub.cfg: it is not a copy of a /boot that GRUB boots from"
                    + " (GRUB 2 reading grub/grub.cfg is supported)");
        }
        if (Files.readString(cfg, StandardCharsets.ISO_8859_1).contains(MENU_TITLE)) {
            throw refuse(cfg + " is the bootloader's own grub.cfg: the backup was made after the bootloader was"
                    + " configured, and restoring it would boot the bootloader again; put the old OS's grub.cfg"
                    + " back into it");
        }
        Device rootDevice = device(root)
                .orElseThrow(() -> refuse("root=" + root + " is not a block device on this system: the restore"
                        + " looks for " + backup + " on root= and its partitions, so root= must name the disk"
                        + " that holds it"));
        Device backupDevice = Device.of(dev(parent), "the file system that holds " + backup);
        if (!backupDevice.name().equals(rootDevice.name()) && !backupDevice.disk().equals(rootDevice.name())) {
            throw refuse(backup + " is on /dev/" + backupDevice.name() + ", which is neither root=" + root + " (/dev/"
                    + rootDevice.name() + ") nor one of its partitions: the restore would not find it");
        }
        if (!separate) {
            if (bootFs != null) {
                throw refuse("s3flash.bootfs= is given but " + dir + " is not a file system of its own");
            }
            return Optional.empty();
        }
        Device boot = Device.of(dev(dir), "the file system mounted at " + dir);
        if (bootFs != null) {
            Optional<Device> given = device(bootFs);
            if (given.isEmpty() || !given.get().name().equals(boot.name())) {
                throw refuse("s3flash.bootfs=" + bootFs + " does not name /dev/" + boot.name() + ", the file system"
                        + " mounted at " + dir);
            }
            return Optional.empty();
        }
        String uuid = uuid(Path.of("/dev", boot.name())).orElseThrow(() -> refuse("cannot tell the UUID of /dev/"
                + boot.name() + " (mounted at " + dir + "): give it as s3flash.bootfs=UUID=..."));
        BootArguments.check("s3flash.bootfs", "UUID=" + uuid);
        return Optional.of("s3flash.bootfs=UUID=" + uuid);
    }

    /**
     * A block device as sysfs names it: {@code name} (vda2) and the disk it is a partition of ({@code disk},
     * vda; the name itself for a whole disk).
     */
    record Device(String name, String disk) {

        /** The device of device number {@code dev} (st_dev or st_rdev, as Linux encodes it). */
        static Device of(long dev, String what) throws IOException {
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            Path sys = Path.of("/sys/dev/block/" + major + ":" + minor);
            if (!Files.exists(sys)) {
                throw refuse(what + " is not on a block device (device " + major + ":" + minor + "): put it on a"
                        + " partition");
            }
            Path real = sys.toRealPath();
            String name = real.getFileName().toString();
            return new Device(name, Files.exists(real.resolve("partition")) ? real.getParent().getFileName().toString()
                    : name);
        }
    }

    /** The block device {@code spec} names on this system (a /dev path, or UUID=, LABEL=, ... through findfs). */
    private static Optional<Device> device(String spec) throws IOException {
        Path node;
        if (spec.startsWith("/")) {
            node = Path.of(spec);
        } else {
            Optional<String> found = output("findfs", spec);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            node = Path.of(found.get());
        }
        if (!Files.exists(node)) {
            return Optional.empty();
        }
        int mode = (Integer) Files.getAttribute(node, "unix:mode");
        if ((mode & 0170000) != 0060000) {
            return Optional.empty();
        }
        return Optional.of(Device.of((Long) Files.getAttribute(node, "unix:rdev"), spec));
    }

    /** The file system UUID: blkid's answer where blkid is installed, else read from an ext2/3/4 or XFS superblock. */
    static Optional<String> uuid(Path device) throws IOException {
        return onPath("blkid") ? output("blkid", "-s", "UUID", "-o", "value", device.toString())
                : superblockUuid(device);
    }

    /** The UUID an ext2/3/4 or XFS superblock records (busybox has no blkid: the script reads it with dd). */
    static Optional<String> superblockUuid(Path device) throws IOException {
        byte[] head = new byte[2048];
        int n;
        try (InputStream in = Files.newInputStream(device)) {
            n = in.readNBytes(head, 0, head.length);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        if (n >= 1024 + 120 && (b.getShort(1024 + 56) & 0xffff) == 0xef53) {
            return Optional.of(uuidText(head, 1024 + 104));
        }
        if (n >= 48 && new String(head, 0, 4, StandardCharsets.ISO_8859_1).equals("XFSB")) {
            return Optional.of(uuidText(head, 32));
        }
        return Optional.empty();
    }

    private static String uuidText(byte[] bytes, int at) {
        String hex = HexFormat.of().formatHex(bytes, at, at + 16);
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The first line a command prints when it succeeds, or empty (it failed, printed nothing, or is missing). */
    private static Optional<String> output(String... command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return Optional.empty();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        }
        return p.exitValue() == 0 && !out.isEmpty() ? Optional.of(out.lines().findFirst().orElseThrow())
                : Optional.empty();
    }

    private static long dev(Path path) throws IOException {
        return (Long) Files.getAttribute(path, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    }

    private static IllegalArgumentException refuse(String problem) {
        return new IllegalArgumentException(problem);
    }
}
