package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * add_trusted_key.sh and {@code s3flash initrd add-trusted-key} held to each other: the same cpio
 * archive appended (compared decompressed), holding /etc/s3flash/allowed_signers where boot mode reads
 * it; the same refusals, with the initrd unchanged.
 */
class AddTrustedKeyTest {

    private static final String SIGNER = "ops@example.com namespaces=\"s3flash-image\" ssh-ed25519"
            + " AAAAC3NzaC1lZDI1NTE5AAAAIB7m3V6ChKpYy0pVfA4wYdLr0aJ9h2Ue0x3m8mWnYxYz release key\n";

    @TempDir
    Path tmp;

    private int n;

    /** Two release folders with the same small initrd.gz: one for the script, one for the CLI. */
    private Path[] releases() throws IOException {
        return ReleaseFiles.scriptAndCliReleases(tmp.resolve("r" + n++), "add_trusted_key.sh");
    }

    private ReleaseFiles.Run[] addBoth(Path[] dirs, byte[] signers) throws IOException {
        Path file = tmp.resolve("signers" + n);
        Files.write(file, signers);
        return ReleaseFiles.runBoth(dirs, "add_trusted_key.sh", "add-trusted-key", file);
    }

    @Test
    void bothAppendTheSameArchiveWithTheSignersWhereBootModeReadsThem() throws IOException {
        Path[] dirs = releases();
        byte[] before = Files.readAllBytes(dirs[0].resolve("initrd.gz"));
        String signers = "# release signers\n" + SIGNER + "\n";
        ReleaseFiles.Run[] runs = addBoth(dirs, signers.getBytes(StandardCharsets.US_ASCII));
        assertThat(runs[0].exit()).as(runs[0].err()).isZero();
        assertThat(runs[1].exit()).as(runs[1].err()).isZero();
        for (Path dir : dirs) {
            byte[] after = Files.readAllBytes(dir.resolve("initrd.gz"));
            assertThat(Arrays.copyOf(after, before.length)).as("the initrd is appended to").isEqualTo(before);
            List<byte[]> members = ReleaseFiles.gzipMembers(after);
            assertThat(members).hasSize(2);
            List<ReleaseFiles.Entry> entries = ReleaseFiles.cpio(members.get(1));
            assertThat(entries).extracting(ReleaseFiles.Entry::name)
                    .containsExactly("etc", "etc/s3flash", "etc/s3flash/allowed_signers");
            assertThat(entries).extracting(ReleaseFiles.Entry::mode).containsExactly(040755L, 040755L, 0100644L);
            assertThat(new String(entries.get(2).data(), StandardCharsets.US_ASCII)).isEqualTo(signers);
        }
        List<byte[]> sh = ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[0].resolve("initrd.gz")));
        List<byte[]> java = ReleaseFiles.gzipMembers(Files.readAllBytes(dirs[1].resolve("initrd.gz")));
        assertThat(sh.get(1)).as("the shell's cpio archive equals Commons Compress's, byte for byte")
                .isEqualTo(java.get(1));
    }

    @Test
    void bothRefuseWhatIsNotAnAllowedSignersFileAndLeaveTheInitrdUnchanged() throws IOException {
        List<String> bad = List.of("", SIGNER.strip(), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\n", "# only a comment\n",
                "ops@example.com ssh-ed25519 AAAA\u0001B\n", "not a signer line at all\n");
        for (String signers : bad) {
            Path[] dirs = releases();
            String[] hashes = {ReleaseFiles.sha256(dirs[0].resolve("initrd.gz")),
                ReleaseFiles.sha256(dirs[1].resolve("initrd.gz"))};
            ReleaseFiles.Run[] runs = addBoth(dirs, signers.getBytes(StandardCharsets.UTF_8));
            assertThat(runs[0].exit()).as("shell on %s: %s", signers, runs[0].err()).isEqualTo(3);
            assertThat(runs[1].exit()).as("java on %s: %s", signers, runs[1].err()).isEqualTo(3);
            assertThat(runs[0].err()).contains("refused").contains("unchanged");
            assertThat(runs[1].err()).contains("refused").contains("unchanged");
            assertThat(ReleaseFiles.sha256(dirs[0].resolve("initrd.gz"))).isEqualTo(hashes[0]);
            assertThat(ReleaseFiles.sha256(dirs[1].resolve("initrd.gz"))).isEqualTo(hashes[1]);
        }
    }

    /**
     * As add_ssh_key: the new initrd.gz is written beside the old one, so without room for a second one
     * both tools refuse before writing anything, and the initrd is unchanged.
     */
    @Test
    void withoutRoomForASecondInitrdBothRefuseBeforeWriting() throws IOException {
        ReleaseFiles.onSmallBoot(tmp, small -> {
            Path[] dirs = ReleaseFiles.scriptAndCliReleases(small, "add_trusted_key.sh");
            String[] hashes = ReleaseFiles.fillInitrds(small, dirs);
            ReleaseFiles.Run[] runs = addBoth(dirs, (SIGNER + "\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 2; i++) {
                assertThat(runs[i].exit()).as(runs[i].err()).isEqualTo(3);
                assertThat(runs[i].err()).contains("KiB free, and adding trusted keys writes a new initrd.gz"
                        + " beside the old one").contains("is unchanged");
                assertThat(ReleaseFiles.sha256(dirs[i].resolve("initrd.gz"))).isEqualTo(hashes[i]);
                assertThat(dirs[i].resolve("initrd.gz.tmp")).as("nothing written").doesNotExist();
            }
        });
    }
}
