package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code s3flash initrd build}: a tree becomes a gzip'd newc archive the kernel can unpack, reproducibly. */
class InitrdBuildTest {

    @TempDir
    Path tmp;

    private Path tree() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("root/.ssh"));
        Files.setPosixFilePermissions(root.resolve("root"), PosixFilePermissions.fromString("rwx------"));
        Files.write(root.resolve("bin/busybox"), new byte[] {0x7f, 'E', 'L', 'F', 1, 2, 3});
        Files.setPosixFilePermissions(root.resolve("bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("/bin/busybox"));
        Files.writeString(root.resolve("init"), "#!/bin/sh\nexec sh\n");
        return root;
    }

    @Test
    void theTreeIsArchivedWithModesLinksAndConsole() throws IOException {
        Path root = tree();
        var out = new ByteArrayOutputStream();
        NewcArchives.writeTree(root, out);
        List<byte[]> members = ReleaseFiles.gzipMembers(out.toByteArray());
        assertThat(members).hasSize(1);
        Map<String, ReleaseFiles.Entry> entries = ReleaseFiles.cpio(members.get(0)).stream()
                .collect(Collectors.toMap(ReleaseFiles.Entry::name, e -> e));
        assertThat(entries.keySet()).containsExactlyInAnyOrder("bin", "bin/busybox", "bin/sh", "init", "root",
                "root/.ssh", "dev", "dev/console", "dev/null");
        assertThat(entries.get("bin/busybox").mode()).isEqualTo(0100755);
        assertThat(entries.get("bin/busybox").data()).containsExactly(0x7f, 'E', 'L', 'F', 1, 2, 3);
        assertThat(entries.get("root").mode()).isEqualTo(040700);
        assertThat(entries.get("bin/sh").mode()).isEqualTo(0120777);
        assertThat(new String(entries.get("bin/sh").data(), StandardCharsets.UTF_8)).isEqualTo("/bin/busybox");
        assertThat(entries.get("dev/console").mode()).isEqualTo(020600);
        assertThat(entries.get("dev/console").rdevMajor()).isEqualTo(5);
        assertThat(entries.get("dev/console").rdevMinor()).isEqualTo(1);
        assertThat(entries.values()).allSatisfy(e -> assertThat(e.uid()).isZero());
        assertThat(entries.values().stream().map(ReleaseFiles.Entry::inode).distinct()).hasSize(entries.size());
        assertThat(members.get(0).length % 512).isZero();
    }

    @Test
    void buildsAreReproducible() throws IOException {
        Path root = tree();
        var a = new ByteArrayOutputStream();
        var b = new ByteArrayOutputStream();
        NewcArchives.writeTree(root, a);
        NewcArchives.writeTree(root, b);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
    }

    @Test
    void theCliWritesTheInitrd() throws IOException {
        Path root = tree();
        Path out = tmp.resolve("initrd.gz");
        ReleaseFiles.Run run = ReleaseFiles.cli("initrd", "build", "--root", root.toString(), "--output", out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        var direct = new ByteArrayOutputStream();
        NewcArchives.writeTree(root, direct);
        assertThat(ReleaseFiles.gzipMembers(Files.readAllBytes(out)))
                .containsExactlyElementsOf(ReleaseFiles.gzipMembers(direct.toByteArray()));
        assertThat(ReleaseFiles.cli("initrd", "build", "--root", tmp.resolve("none").toString(), "--output",
                tmp.resolve("x.gz").toString()).exit()).isEqualTo(3);
    }
}
