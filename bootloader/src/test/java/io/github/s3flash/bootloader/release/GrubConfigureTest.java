package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * configure_bootloader.sh and {@code s3flash grub configure} held to each other: the same grub.cfg for
 * every accepted input, the same refusals (grub.cfg unchanged) for every bad one, fuzzed.
 */
class GrubConfigureTest {

    private static final String OLD = "# the old OS's grub.cfg\n";

    @TempDir
    Path tmp;

    private int n;

    /** Runs both implementations on fresh release folders; returns the verdicts and grub.cfg contents. */
    private String[] both(String source, String root, String... options) throws IOException {
        Path shDir = ReleaseFiles.release(tmp.resolve("sh" + n));
        Path javaDir = ReleaseFiles.release(tmp.resolve("java" + n++));
        Files.writeString(shDir.resolve("grub/grub.cfg"), OLD);
        Files.writeString(javaDir.resolve("grub/grub.cfg"), OLD);
        List<String> args = new ArrayList<>(List.of(source, root));
        args.addAll(Arrays.asList(options));
        ReleaseFiles.Run sh = ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), args.toArray(String[]::new));
        String javaVerdict;
        try {
            GrubConfig.configure(javaDir, source, root, List.of(options));
            javaVerdict = "ok";
        } catch (IllegalArgumentException e) {
            javaVerdict = "refused";
        }
        String shVerdict = sh.exit() == 0 ? "ok" : sh.exit() == 3 ? "refused" : "exit " + sh.exit() + ": " + sh.err();
        return new String[] {shVerdict, javaVerdict, Files.readString(shDir.resolve("grub/grub.cfg")),
            Files.readString(javaDir.resolve("grub/grub.cfg")), sh.err()};
    }

    @Test
    void acceptedInputsGiveTheSameGrubCfg() throws IOException {
        String[][] cases = {
            {"my-bucket/images/server.img.lz4", "/dev/nvme0n1"},
            {"s3://my-bucket/a/b/c.lz4", "UUID=0a1b2c3d-4e5f-6789-abcd-ef0123456789"},
            {"https://images.example.com/x.zst", "LABEL=cloudimg-rootfs", "s3flash.sha256=ab01", "s3flash.watchdog=600"},
            {"gs://b/o", "PARTUUID=1234-01", "s3flash.endpoint=http://10.0.2.100:9000", "s3flash.option.s3.region=eu-west-1"},
            {"b/k~1%20x,y@z+1", "/dev/disk/by-id/nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1:2", "s3flash.after=none"},
            {"b/k", "PARTLABEL=root"},
        };
        for (String[] c : cases) {
            String[] r = both(c[0], c[1], Arrays.copyOfRange(c, 2, c.length));
            assertThat(r[0]).as("shell, %s", Arrays.toString(c)).isEqualTo("ok");
            assertThat(r[1]).as("java, %s", Arrays.toString(c)).isEqualTo("ok");
            assertThat(r[2]).as("same grub.cfg").isEqualTo(r[3]);
            String expected = "root=" + c[1] + " source=" + c[0]
                    + String.join("", Arrays.stream(c, 2, c.length).map(o -> " " + o).toList());
            assertThat(r[3]).contains("panic=30 " + expected + "\n").doesNotContain(GrubConfig.PLACEHOLDER);
        }
    }

    @Test
    void badInputsAreRefusedByBothWithGrubCfgUnchanged() throws IOException {
        String[][] cases = {
            {"bucket/key\"", "/dev/vda"}, {"bucket/key'x", "/dev/vda"}, {"bucket/key x", "/dev/vda"},
            {"bucket/key;reboot", "/dev/vda"}, {"bucket/key\nset root=x", "/dev/vda"}, {"bucket/$root", "/dev/vda"},
            {"bucket/`id`", "/dev/vda"}, {"bucket/${x}", "/dev/vda"}, {"bucket/{x}", "/dev/vda"},
            {"bucket/a\\b", "/dev/vda"}, {"bucket/a|b", "/dev/vda"}, {"bucket/a&b", "/dev/vda"},
            {"bucket/a#b", "/dev/vda"}, {"", "/dev/vda"}, {"nokey", "/dev/vda"}, {"-x/y", "/dev/vda"},
            {"bucket/é", "/dev/vda"}, {"bucket/a\tb", "/dev/vda"}, {"bucket/" + "a".repeat(600), "/dev/vda"},
            {"b/k", "vda"}, {"b/k", "/dev/vda rw"}, {"b/k", "UUID=\"x\""}, {"b/k", "FOO=bar"}, {"b/k", ""},
            {"b/k", "/dev/"}, {"b/k", "/dev/vda", "init=/bin/sh"}, {"b/k", "/dev/vda", "s3flash.x=a b"},
            {"b/k", "/dev/vda", "s3flash.x=$(id)"}, {"b/k", "/dev/vda", "s3flash.=x"}, {"b/k", "/dev/vda", "s3flash.x"},
        };
        for (String[] c : cases) {
            String[] r = both(c[0], c[1], Arrays.copyOfRange(c, 2, c.length));
            assertThat(r[0]).as("shell, %s", Arrays.toString(c)).isEqualTo("refused");
            assertThat(r[1]).as("java, %s", Arrays.toString(c)).isEqualTo("refused");
            assertThat(r[2]).as("shell left grub.cfg unchanged").isEqualTo(OLD);
            assertThat(r[3]).as("java left grub.cfg unchanged").isEqualTo(OLD);
            assertThat(r[4]).contains("refused").contains("unchanged");
        }
    }

    @Test
    void fuzzedInputsGetTheSameVerdictAndOutputFromBoth() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        String alphabet = "abcXYZ019._~:/=+@%,-\"' ;\n\t$`{}\\|&#*?[]()<>!é";
        String[] prefixes = {"", "b/", "s3://b/", "/dev/", "UUID=", "s3flash.k="};
        for (int i = 0; i < 60; i++) {
            String[] v = new String[3];
            for (int j = 0; j < 3; j++) {
                var s = new StringBuilder(prefixes[random.nextInt(prefixes.length)]);
                int len = random.nextInt(12);
                for (int k = 0; k < len; k++) {
                    // Mostly safe characters, so that both verdicts occur.
                    s.append(alphabet.charAt(random.nextInt(random.nextInt(4) == 0 ? alphabet.length() : 21)));
                }
                v[j] = s.toString();
            }
            String[] r = random.nextBoolean() ? both(v[0], v[1]) : both(v[0], v[1], v[2]);
            assertThat(r[0]).as("%s: shell vs java for %s", Seeds.describe(seed), Arrays.toString(v)).isEqualTo(r[1]);
            assertThat(r[2]).as("%s: same grub.cfg for %s", Seeds.describe(seed), Arrays.toString(v)).isEqualTo(r[3]);
        }
    }

    @Test
    void reconfiguringReplacesThePreviousValues() throws IOException {
        Path dir = ReleaseFiles.release(tmp.resolve("again"));
        assertThat(ReleaseFiles.sh(dir.resolve("configure_bootloader.sh"), "a/b", "/dev/vda").exit()).isZero();
        GrubConfig.configure(dir, "c/d", "/dev/vdb", List.of());
        String cfg = Files.readString(dir.resolve("grub/grub.cfg"));
        assertThat(cfg).contains("root=/dev/vdb source=c/d\n").doesNotContain("a/b");
    }

    @Test
    void theCliAndTheScriptAgreeOnExitCodes() throws IOException {
        Path shDir = ReleaseFiles.release(tmp.resolve("cli-sh"));
        Path javaDir = ReleaseFiles.release(tmp.resolve("cli-java"));
        assertThat(ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), "only-one").exit()).isEqualTo(2);
        assertThat(ReleaseFiles.cli("grub", "configure", "--boot", javaDir.toString(), "only-one").exit()).isEqualTo(2);
        assertThat(ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), "b/k;x", "/dev/vda").exit()).isEqualTo(3);
        assertThat(ReleaseFiles.cli("grub", "configure", "--boot", javaDir.toString(), "b/k;x", "/dev/vda").exit())
                .isEqualTo(3);
        assertThat(ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), "b/k", "/dev/vda", "s3flash.verify=true")
                .exit()).isZero();
        var cli = ReleaseFiles.cli("grub", "configure", "--boot", javaDir.toString(), "b/k", "/dev/vda",
                "s3flash.verify=true");
        assertThat(cli.exit()).as(cli.err()).isZero();
        assertThat(Files.readString(javaDir.resolve("grub/grub.cfg")))
                .isEqualTo(Files.readString(shDir.resolve("grub/grub.cfg")));
    }

    @Test
    void aTemplateWithoutExactlyOnePlaceholderIsRefused() throws IOException {
        Path dir = ReleaseFiles.release(tmp.resolve("template"));
        Files.writeString(dir.resolve("grub/grub.cfg.in"), "linux /vmlinuz @S3FLASH_ARGS@ @S3FLASH_ARGS@\n");
        assertThatThrownBy(() -> GrubConfig.configure(dir, "b/k", "/dev/vda", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly once");
        assertThat(ReleaseFiles.sh(dir.resolve("configure_bootloader.sh"), "b/k", "/dev/vda").exit()).isEqualTo(3);
        assertThat(dir.resolve("grub/grub.cfg")).doesNotExist();
    }
}
