package io.github.s3flash.bootloader.boot;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Real ext4 file systems on loop devices, laid out as the install steps leave them, in either
 * supported layout:
 * <ul>
 *   <li>{@link #create}: {@code /boot} a directory of the root file system, holding the bootloader's
 *       kernel, initrd and grub.cfg; {@code /boot.bak} beside it, the original boot.
 *   <li>{@link #separateBoot}: {@code /boot} a file system of its own on a second loop device (this
 *       kernel makes no partition nodes for loop devices) holding the bootloader, and {@code /boot.bak}
 *       on the root file system.
 * </ul>
 * The bootloader's grub.cfg holds {@code root=<root device> source=<source>}, as configure writes it.
 */
public final class Ext4RootFixture implements AutoCloseable {

    final LoopDevice loop;
    private final LoopDevice boot;
    private final String bootUuid;

    private Ext4RootFixture(LoopDevice loop, LoopDevice boot, String bootUuid) {
        this.loop = loop;
        this.boot = boot;
        this.bootUuid = bootUuid;
    }

    /** /boot on the root file system; the bootloader's grub.cfg names {@code source}. */
    public static Ext4RootFixture create(Path dir, String source) throws IOException {
        var loop = LoopDevice.create(dir, 32 << 20);
        try {
            mkfs(loop, UUID.randomUUID().toString());
            var root = new Ext4RootFixture(loop, null, null);
            root.edit(mount -> {
                oldBoot(mount.resolve("boot.bak"));
                bootloader(mount.resolve("boot"), "/boot", root.grubArguments(source));
                Files.writeString(mount.resolve("etc-os-release"), "old os");
            });
            return root;
        } catch (IOException | RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    /** /boot a file system of its own; /boot.bak on the root file system; grub.cfg names {@code source}. */
    public static Ext4RootFixture separateBoot(Path dir, String source) throws IOException {
        var loop = LoopDevice.create(dir, 32 << 20);
        LoopDevice boot = null;
        try {
            boot = LoopDevice.create(dir, 32 << 20);
            String uuid = UUID.randomUUID().toString();
            mkfs(loop, UUID.randomUUID().toString());
            mkfs(boot, uuid);
            var root = new Ext4RootFixture(loop, boot, uuid);
            root.edit(mount -> {
                oldBoot(mount.resolve("boot.bak"));
                Files.createDirectories(mount.resolve("boot"));
                Files.writeString(mount.resolve("etc-os-release"), "old os");
            });
            root.editBoot(mount -> {
                oldBoot(mount);
                bootloader(mount, "", root.grubArguments(source));
            });
            return root;
        } catch (IOException | RuntimeException e) {
            loop.close();
            if (boot != null) {
                boot.close();
            }
            throw e;
        }
    }

    private static void mkfs(LoopDevice loop, String uuid) throws IOException {
        LoopDevice.run(List.of("mkfs.ext4", "-q", "-F", "-U", uuid, loop.device().toString()));
    }

    /** The old OS's /boot: a kernel, a grub.cfg, and a link (as Debian's /boot may hold). */
    private static void oldBoot(Path boot) throws IOException {
        Files.createDirectories(boot.resolve("grub"));
        Files.writeString(boot.resolve("vmlinuz"), "original kernel");
        Files.writeString(boot.resolve("grub/grub.cfg"), "menuentry 'old os' {}");
        Files.createSymbolicLink(boot.resolve("vmlinuz.old"), Path.of("vmlinuz"));
    }

    /** What untarring the release and configuring it leaves in /boot (a directory, or the boot file system). */
    private static void bootloader(Path boot, String prefix, String arguments) throws IOException {
        Files.createDirectories(boot.resolve("grub"));
        Files.writeString(boot.resolve("vmlinuz"), "flasher kernel");
        Files.writeString(boot.resolve("initrd.gz"), "flasher initrd");
        Files.writeString(boot.resolve("grub/grub.cfg.in"), "template");
        Files.writeString(boot.resolve("grub/grub.cfg"), "menuentry 's3flash: flash a new disk image' {\n    linux "
                + prefix + "/vmlinuz console=ttyS0 " + arguments + "\n    initrd " + prefix + "/initrd.gz\n}\n");
    }

    /** The kernel arguments configure writes for this layout. */
    public String grubArguments(String source) {
        return "root=" + device() + " source=" + source + (boot == null ? "" : " s3flash.bootfs=UUID=" + bootUuid);
    }

    public Path device() {
        return loop.device();
    }

    /** The loop device of the separate /boot file system, or null. */
    public Path bootDevice() {
        return boot == null ? null : boot.device();
    }

    public String bootUuid() {
        return bootUuid;
    }

    /**
     * A /dev tree for {@code --dev}, as udev would make it: the devices, and the boot file system's
     * {@code disk/by-uuid} link.
     */
    public Path devTree(Path dir) throws IOException {
        Path dev = Files.createDirectories(dir);
        for (LoopDevice d : boot == null ? List.of(loop) : List.of(loop, boot)) {
            Files.createSymbolicLink(dev.resolve(d.device().getFileName().toString()), d.device());
        }
        if (boot != null) {
            Path byUuid = Files.createDirectories(dev.resolve("disk/by-uuid"));
            Files.createSymbolicLink(byUuid.resolve(bootUuid), boot.device());
        }
        return dev;
    }

    public interface Edit {
        void apply(Path mount) throws IOException;
    }

    /** Mounts the root file system, runs {@code edit} on it, unmounts. */
    public void edit(Edit edit) throws IOException {
        edit(loop, edit);
    }

    /** Mounts the separate /boot file system, runs {@code edit} on it, unmounts. */
    public void editBoot(Edit edit) throws IOException {
        edit(boot, edit);
    }

    private static void edit(LoopDevice device, Edit edit) throws IOException {
        Path mount = Files.createTempDirectory("ext4root");
        LoopDevice.run(List.of("mount", device.device().toString(), mount.toString()));
        try {
            edit.apply(mount);
        } finally {
            LoopDevice.run(List.of("umount", mount.toString()));
            Files.delete(mount);
        }
    }

    /** Every regular file's path and content, every link's target, and every directory (with a trailing slash). */
    public Map<String, String> files() throws IOException {
        return files(loop);
    }

    /** As {@link #files()}, of the separate /boot file system. */
    public Map<String, String> bootFiles() throws IOException {
        return files(boot);
    }

    private static Map<String, String> files(LoopDevice device) throws IOException {
        Map<String, String> files = new TreeMap<>();
        edit(device, mount -> {
            try (Stream<Path> walk = Files.walk(mount)) {
                for (Path p : walk.toList()) {
                    String rel = mount.relativize(p).toString();
                    if (rel.isEmpty() || rel.startsWith("lost+found")) {
                        continue;
                    }
                    if (Files.isSymbolicLink(p)) {
                        files.put(rel, "-> " + Files.readSymbolicLink(p));
                    } else {
                        files.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? "" : Files.readString(p));
                    }
                }
            }
        });
        return files;
    }

    /** The old boot, as the files of the directory or file system that holds it, under {@code prefix}. */
    public static Map<String, String> oldBootFiles(String prefix) {
        Map<String, String> expected = new TreeMap<>();
        if (!prefix.isEmpty()) {
            expected.put(prefix + "/", "");
            prefix = prefix + "/";
        }
        expected.put(prefix + "grub/", "");
        expected.put(prefix + "vmlinuz", "original kernel");
        expected.put(prefix + "vmlinuz.old", "-> vmlinuz");
        expected.put(prefix + "grub/grub.cfg", "menuentry 'old os' {}");
        return expected;
    }

    /** The root file system after a restore with /boot on it. */
    public static Map<String, String> restoredLayout() {
        Map<String, String> expected = oldBootFiles("boot");
        expected.put("etc-os-release", "old os");
        return expected;
    }

    /** The root file system after a restore onto a separate /boot: the backup consumed, /boot an empty mount point. */
    public static Map<String, String> restoredRootOfSeparateBoot() {
        return new TreeMap<>(Map.of("boot/", "", "etc-os-release", "old os"));
    }

    @Override
    public void close() throws IOException {
        try {
            loop.close();
        } finally {
            if (boot != null) {
                boot.close();
            }
        }
    }
}
