package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    }

    private static void link(Path dev, String kind, String name, Path target) throws IOException {
        Path dir = Files.createDirectories(dev.resolve("disk").resolve(kind));
        Files.createSymbolicLink(dir.resolve(name), target);
    }
}
