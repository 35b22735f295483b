package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * add_ssh_key.sh and {@code s3flash initrd add-ssh-key} held to each other: the same cpio archive
 * appended (compared decompressed: gzip and zlib compress differently), found again by parsing the
 * initrd member by member as the kernel does; the same refusals, with the initrd unchanged.
 */
class AddSshKeyTest {

    private static final String ED25519 =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB7m3V6ChKpYy0pVfA4wYdLr0aJ9h2Ue0x3m8mWnYxYz ops@build\n";
    private static final String RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7x9Yk+/Zp0= admin\n";

    @TempDir
    Path tmp;

    private int n;

    /** Two release folders with the same small initrd.gz: one for the script, one for the CLI. */
    private Path[] releases() throws IOException {
        return ReleaseFiles.scriptAndCliReleases(tmp.resolve("r" + n++));
    }

    private ReleaseFiles.Run[] addBoth(Path[] dirs, byte[] keys) throws IOException {
        Path file = tmp.resolve("keys" + n);
        Files.write(file, keys);
        return ReleaseFiles.runBoth(dirs, "add_ssh_key.sh", "add-ssh-key", file);
    }

    @Test
    void bothAppendTheSameArchiveAndTheKeyIsInTheInitrd() throws IOException {
        Path[] dirs = releases();
        byte[] before = Files.readAllBytes(dirs[0].resolve("initrd.gz"));
        String keys = "# operators\n" + ED25519 + "\n" + RSA;
        ReleaseFiles.Run[] runs = addBoth(dirs, keys.getBytes(StandardCharsets.US_ASCII));
        assertThat(runs[0].exit()).as(runs[0].err()).isZero();
        assertThat(runs[1].exit()).as(runs[1].err()).isZero();
        for (Path dir : dirs) {
            byte[] after = Files.readAllBytes(dir.resolve("initrd.gz"));
            assertThat(Arrays.copyOf(after, before.length)).as("the initrd is appended to, not rewritten")
                    .isEqualTo(before);
            List<byte[]> members = ReleaseFiles.gzipMembers(after);
            assertThat(members).hasSize(2);
            List<ReleaseFiles.Entry> entries = ReleaseFiles.cpio(members.get(1));
            assertThat(entries).extracting(ReleaseFiles.Entry::name)
                    .containsExactly("root", "root/.ssh", "root/.ssh/authorized_keys");
            assertThat(entries).extracting(ReleaseFiles.Entry::mode).containsExactly(040700L, 040700L, 0100600L);
            assertThat(entries).allSatisfy(e -> assertThat(e.uid()).isZero());
            assertThat(new String(entries.get(2).data(), StandardCharsets.US_ASCII)).isEqualTo(keys);
            assertThat(ReleaseFiles.cpio(members.get(0))).extracting(ReleaseFiles.Entry::name).contains("etc/hostname");
        }
        List<byte[]> sh = ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[0].resolve("initrd.gz")));
        List<byte[]> java = ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[1].resolve("initrd.gz")));
        assertThat(sh.get(1)).as("the shell's cpio archive equals Commons Compress's, byte for byte")
                .isEqualTo(java.get(1));
        assertThat(sh.get(1).length % 512).isZero();
    }

    @Test
    void keysOfEverySizeGiveTheSameArchive() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int i = 0; i < 6; i++) {
            var keys = new StringBuilder();
            int count = 1 + random.nextInt(4);
            for (int k = 0; k < count; k++) {
                byte[] blob = new byte[1 + random.nextInt(300)];
                random.nextBytes(blob);
                keys.append("ssh-ed25519 ").append(java.util.Base64.getEncoder().encodeToString(blob))
                        .append(random.nextBoolean() ? " key" + k : "").append('\n');
            }
            Path[] dirs = releases();
            ReleaseFiles.Run[] runs = addBoth(dirs, keys.toString().getBytes(StandardCharsets.US_ASCII));
            assertThat(runs[0].exit()).as("%s: %s", Seeds.describe(seed), runs[0].err()).isZero();
            assertThat(runs[1].exit()).as("%s: %s", Seeds.describe(seed), runs[1].err()).isZero();
            assertThat(ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[0].resolve("initrd.gz"))).get(1))
                    .as(Seeds.describe(seed))
                    .isEqualTo(ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[1].resolve("initrd.gz"))).get(1));
        }
    }

    @Test
    void badKeyFilesAreRefusedByBothWithTheInitrdUnchanged() throws IOException {
        List<String> bad = List.of(
                "",
                "\n",
                "# only a comment\n",
                ED25519.strip(),
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n",
                "command=\"/bin/sh\" " + ED25519,
                "no-pty " + ED25519,
                ED25519.replace("\n", "\r\n"),
                ED25519 + "ssh-ed25519 AAAA$(reboot)\n",
                ED25519 + "ssh-dss AAAAB3NzaC1kc3M= old\n",
                "ssh-ed25519\n",
                "ssh-ed25519  AAAA\n",
                ED25519.replace("ops@build", "ops\u00e9"),
                ED25519 + "\u0000\n",
                "x".repeat(70_000) + "\n");
        for (String keys : bad) {
            Path[] dirs = releases();
            String[] hashes = {ReleaseFiles.sha256(dirs[0].resolve("initrd.gz")),
                ReleaseFiles.sha256(dirs[1].resolve("initrd.gz"))};
            ReleaseFiles.Run[] runs = addBoth(dirs, keys.getBytes(StandardCharsets.UTF_8));
            String what = keys.length() > 80 ? keys.substring(0, 80) + "..." : keys;
            assertThat(runs[0].exit()).as("shell on %s: %s", what, runs[0].err()).isEqualTo(3);
            assertThat(runs[1].exit()).as("java on %s: %s", what, runs[1].err()).isEqualTo(3);
            assertThat(runs[0].err()).contains("refused").contains("unchanged");
            assertThat(runs[1].err()).contains("refused").contains("unchanged");
            assertThat(ReleaseFiles.sha256(dirs[0].resolve("initrd.gz"))).isEqualTo(hashes[0]);
            assertThat(ReleaseFiles.sha256(dirs[1].resolve("initrd.gz"))).isEqualTo(hashes[1]);
            try (var files = Files.list(dirs[0])) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                        .containsExactlyInAnyOrder("add_ssh_key.sh", "configure_bootloader.sh", "grub", "initrd.gz", "initrd-append.sh",
                                "vmlinuz", GrubConfig.SIZES);
            }
        }
    }

    /**
     * Found by the boot-chain test: on a /boot partition too small for a second initrd.gz the copy ran
     * out of room. Both tools now reckon the room first and refuse before writing anything, on a real
     * file system that holds two releases with free room for less than one more initrd.gz.
     */
    @Test
    void withoutRoomForASecondInitrdBothRefuseBeforeWriting() throws IOException {
        ReleaseFiles.onSmallBoot(tmp, small -> {
            Path[] dirs = {ReleaseFiles.release(small.resolve("sh")), ReleaseFiles.release(small.resolve("java"))};
            String[] hashes = ReleaseFiles.fillInitrds(small, dirs);
            ReleaseFiles.Run[] runs = addBoth(dirs, ED25519.getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 2; i++) {
                assertThat(runs[i].exit()).as(runs[i].err()).isEqualTo(3);
                assertThat(runs[i].err()).contains("KiB free, and adding a key writes a new initrd.gz beside the"
                        + " old one").contains("is unchanged");
                assertThat(ReleaseFiles.sha256(dirs[i].resolve("initrd.gz"))).isEqualTo(hashes[i]);
                try (var files = Files.list(dirs[i])) {
                    assertThat(files.map(p -> p.getFileName().toString())).as("nothing written")
                            .containsExactlyInAnyOrder("add_ssh_key.sh", "configure_bootloader.sh", "grub",
                                    "initrd-append.sh", "initrd.gz", "vmlinuz", GrubConfig.SIZES);
                }
            }
        });
    }

    /** Item 15 of issue 13: a key file whose name starts with - is a file to the script, never an option. */
    @Test
    void aKeyFileNamedLikeAnOptionIsReadAsAFile() throws IOException {
        Path[] dirs = releases();
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        Files.writeString(cwd.resolve("-n"), ED25519);
        ReleaseFiles.Run sh = ReleaseFiles.sh(java.util.Map.of(), cwd, dirs[0].resolve("add_ssh_key.sh"), "-n");
        assertThat(sh.exit()).as(sh.err()).isZero();
        ReleaseFiles.Run cli = ReleaseFiles.cli("initrd", "add-ssh-key", "--initrd",
                dirs[1].resolve("initrd.gz").toString(), "--", cwd.resolve("-n").toString());
        assertThat(cli.exit()).as(cli.err()).isZero();
        assertThat(ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[0].resolve("initrd.gz"))).get(1))
                .isEqualTo(ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[1].resolve("initrd.gz"))).get(1));
    }

    @Test
    void aMissingInitrdOrKeyFileIsRefused() throws IOException {
        Path dir = ReleaseFiles.release(tmp.resolve("empty"));
        Files.delete(dir.resolve("initrd.gz"));
        Path keys = Files.writeString(tmp.resolve("k"), ED25519);
        assertThat(ReleaseFiles.sh(dir.resolve("add_ssh_key.sh"), keys.toString()).exit()).isEqualTo(3);
        assertThat(ReleaseFiles.cli("initrd", "add-ssh-key", "--initrd", dir.resolve("initrd.gz").toString(),
                keys.toString()).exit()).isEqualTo(3);
        Path[] dirs = releases();
        assertThat(ReleaseFiles.sh(dirs[0].resolve("add_ssh_key.sh"), tmp.resolve("none").toString()).exit())
                .isEqualTo(3);
        assertThat(ReleaseFiles.sh(dirs[0].resolve("add_ssh_key.sh")).exit()).isEqualTo(2);
        assertThat(ReleaseFiles.cli("initrd", "add-ssh-key", "--initrd", dirs[1].resolve("initrd.gz").toString(),
                tmp.resolve("none").toString()).exit()).isEqualTo(3);
    }
}
