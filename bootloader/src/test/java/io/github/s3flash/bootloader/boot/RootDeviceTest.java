package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.github.s3flash.api.TargetUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every form of {@code root=}, resolved through a /dev tree of the test's own to a real loop device. */
class RootDeviceTest {

    @TempDir
    Path dir;

    @Test
    void resolvesEveryFormToTheDevice() throws IOException {
        try (var loop = LoopDevice.create(dir, 1 << 20)) {
            Path dev = Files.createDirectories(dir.resolve("dev"));
            Path real = loop.device();
            Files.createSymbolicLink(dev.resolve(real.getFileName().toString()), real);
            link(dev, "by-uuid", "0a1b2c3d-aaaa-bbbb-cccc-1234567890ab", real);
            link(dev, "by-label", "root\\x20fs", real);
            link(dev, "by-partuuid", "5e0d2f11-01", real);
            link(dev, "by-partlabel", "primary", real);
            var roots = new RootDevice(dev);
            assertThat(roots.resolve("/dev/" + real.getFileName())).isEqualTo(real);
            assertThat(roots.resolve("UUID=0A1B2C3D-AAAA-BBBB-CCCC-1234567890AB")).isEqualTo(real);
            assertThat(roots.resolve("LABEL=root fs")).isEqualTo(real);
            assertThat(roots.resolve("PARTUUID=5e0d2f11-01")).isEqualTo(real);
            assertThat(roots.resolve("PARTLABEL=primary")).isEqualTo(real);
            assertThat(roots.resolve("UUID=ffff")).isNull();
            assertThat(roots.resolve("/dev/nvme9n9")).isNull();
        }
    }

    @Test
    void nonsenseIsRefusedWithTheValidForms() {
        var roots = new RootDevice(Path.of("/dev"));
        assertThatThrownBy(() -> roots.path("SERIAL=123")).hasMessageContaining("UUID=, LABEL=, PARTUUID=, PARTLABEL=");
        assertThatThrownBy(() -> roots.path("vda")).hasMessageContaining("device path under /dev");
        assertThatThrownBy(() -> roots.path("UUID=../../etc")).hasMessageContaining("no usable identifier");
        for (String escape : new String[] {"/dev/../tmp/x", "/dev/./vda", "/dev//vda", "/dev/vda/", "/dev/a/../../x"}) {
            assertThatThrownBy(() -> roots.path(escape)).as(escape).hasMessageContaining("not a plain path under /dev");
        }
    }

    /** Item 2 of issue 13: whatever the name, it must resolve to a block device under /dev. */
    @Test
    void whatIsNotABlockDeviceUnderDevIsRefusedWhenFound() throws IOException {
        Path shm = Files.createTempFile(Path.of("/dev/shm"), "s3flash-root", ".img");
        Path node = dir.resolve("blk");
        try (var loop = LoopDevice.create(dir, 1 << 20)) {
            Path dev = Files.createDirectories(dir.resolve("dev"));
            Files.createSymbolicLink(dev.resolve("file"), shm);
            Files.createSymbolicLink(dev.resolve("dir"), Path.of("/dev/shm"));
            // A block device node outside /dev, reached through a link under it.
            String numbers = LoopDevice.run(List.of("stat", "-c", "%t %T", loop.device().toString())).strip();
            String[] hex = numbers.split(" ");
            LoopDevice.run(List.of("mknod", node.toString(), "b", Integer.toString(Integer.parseInt(hex[0], 16)),
                    Integer.toString(Integer.parseInt(hex[1], 16))));
            Files.createSymbolicLink(dev.resolve("outside"), node);
            var roots = new RootDevice(dev);
            for (String root : new String[] {"/dev/file", "/dev/dir", "/dev/outside"}) {
                assertThatThrownBy(() -> roots.resolve(root)).as(root).isInstanceOf(TargetUnavailableException.class)
                        .hasMessageContaining("which is not a block device under /dev");
            }
            assertThatThrownBy(() -> new RootDevice(Path.of("/dev")).resolve(shm.toString()))
                    .isInstanceOf(TargetUnavailableException.class);
        } finally {
            Files.deleteIfExists(shm);
            Files.deleteIfExists(node);
        }
    }

    /** The in-memory OS has no udev, so no /dev/disk: UUID= and LABEL= are found by findfs instead. */
    @Test
    void withoutUdevsLinksUuidAndLabelAreFoundByFindfs() throws IOException {
        String uuid = java.util.UUID.randomUUID().toString();
        String label = "s3fl-" + uuid.substring(0, 8);
        try (var loop = LoopDevice.create(dir, 8 << 20)) {
            LoopDevice.run(List.of("mkfs.ext4", "-q", "-F", "-U", uuid, "-L", label, loop.device().toString()));
            var roots = new RootDevice(Files.createDirectories(dir.resolve("dev-without-udev")));
            assertThat(roots.resolve("UUID=" + uuid.toUpperCase(java.util.Locale.ROOT))).isEqualTo(loop.device());
            assertThat(roots.resolve("LABEL=" + label)).isEqualTo(loop.device());
            assertThat(roots.resolve("UUID=" + java.util.UUID.randomUUID())).isNull();
        }
    }

    private static void link(Path dev, String kind, String name, Path target) throws IOException {
        Path dir = Files.createDirectories(dev.resolve("disk").resolve(kind));
        Files.createSymbolicLink(dir.resolve(name), target);
    }
}
