package io.github.s3flash.bootloader.boot;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A real ext4 root file system on a loop device, laid out as the install steps leave it: {@code
 * /boot} holds the flasher's kernel and initrd, {@code /boot.bak} the original boot.
 */
public final class Ext4RootFixture implements AutoCloseable {

    final LoopDevice loop;

    private Ext4RootFixture(LoopDevice loop) {
        this.loop = loop;
    }

    public static Ext4RootFixture create(Path dir) throws IOException {
        var loop = LoopDevice.create(dir, 32 << 20);
        try {
            LoopDevice.run(List.of("mkfs.ext4", "-q", "-F", loop.device().toString()));
            var root = new Ext4RootFixture(loop);
            root.edit(mount -> {
                Files.createDirectories(mount.resolve("boot.bak/grub"));
                Files.writeString(mount.resolve("boot.bak/vmlinuz"), "original kernel");
                Files.writeString(mount.resolve("boot.bak/grub/grub.cfg"), "menuentry 'old os' {}");
                Files.createDirectories(mount.resolve("boot/grub"));
                Files.writeString(mount.resolve("boot/vmlinuz"), "flasher kernel");
                Files.writeString(mount.resolve("boot/initrd.gz"), "flasher initrd");
                Files.writeString(mount.resolve("boot/grub/grub.cfg"), "menuentry 's3flash' {}");
                Files.writeString(mount.resolve("etc-os-release"), "old os");
            });
            return root;
        } catch (IOException | RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    public Path device() {
        return loop.device();
    }

    public interface Edit {
        void apply(Path mount) throws IOException;
    }

    public void edit(Edit edit) throws IOException {
        Path mount = Files.createTempDirectory("ext4root");
        LoopDevice.run(List.of("mount", loop.device().toString(), mount.toString()));
        try {
            edit.apply(mount);
        } finally {
            LoopDevice.run(List.of("umount", mount.toString()));
            Files.delete(mount);
        }
    }

    /** Every regular file's path and content, and every directory (with a trailing slash). */
    public Map<String, String> files() throws IOException {
        Map<String, String> files = new TreeMap<>();
        edit(mount -> {
            try (Stream<Path> walk = Files.walk(mount)) {
                for (Path p : walk.toList()) {
                    String rel = mount.relativize(p).toString();
                    if (rel.isEmpty() || rel.startsWith("lost+found")) {
                        continue;
                    }
                    files.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? "" : Files.readString(p));
                }
            }
        });
        return files;
    }

    public static Map<String, String> restoredLayout() {
        Map<String, String> expected = new TreeMap<>();
        expected.put("boot/", "");
        expected.put("boot/grub/", "");
        expected.put("boot/vmlinuz", "original kernel");
        expected.put("boot/grub/grub.cfg", "menuentry 'old os' {}");
        expected.put("etc-os-release", "old os");
        return expected;
    }

    @Override
    public void close() throws IOException {
        loop.close();
    }
}
