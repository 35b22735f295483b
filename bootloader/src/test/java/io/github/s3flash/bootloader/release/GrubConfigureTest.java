package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.bootloader.boot.BootConfig;
import io.github.s3flash.bootloader.boot.BootOptionSchema;
import io.github.s3flash.bootloader.boot.KernelCommandLine;
import io.github.s3flash.testkit.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * configure_bootloader.sh and {@code s3flash grub configure} held to each other and to boot mode: one
 * schema of boot options (the script holds the Java schema's table), the same grub.cfg for every
 * accepted input, the same refusals (grub.cfg unchanged) for every bad one — typos, bad values, empty
 * values, repeated keys, characters that could inject — and nothing accepted that boot mode refuses.
 * These run on release folders that are not installed (--no-backup-check); {@link InstallLayoutTest}
 * covers the backup check.
 */
class GrubConfigureTest {

    private static final String OLD = "# the old OS's grub.cfg\n";
    private static final String SHA = "ab".repeat(32);

    @TempDir
    Path tmp;

    private int n;

    /** A change made to a fresh release folder before the tools run. */
    private interface Change {
        void apply(Path release) throws IOException;
    }

    /** Runs both implementations on fresh release folders; returns the verdicts and grub.cfg contents. */
    private String[] both(String source, String root, String... options) throws IOException {
        return both(release -> { }, source, root, options);
    }

    /** As {@link #both(String, String, String...)}, on release folders changed by {@code change}; also the message. */
    private String[] both(Change change, String source, String root, String... options) throws IOException {
        Path shDir = ReleaseFiles.release(tmp.resolve("sh" + n));
        Path javaDir = ReleaseFiles.release(tmp.resolve("java" + n++));
        Files.writeString(shDir.resolve("grub/grub.cfg"), OLD);
        Files.writeString(javaDir.resolve("grub/grub.cfg"), OLD);
        change.apply(shDir);
        change.apply(javaDir);
        List<String> args = new ArrayList<>(List.of("--no-backup-check", source, root));
        args.addAll(Arrays.asList(options));
        ReleaseFiles.Run sh = ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), args.toArray(String[]::new));
        String javaVerdict;
        String javaMessage = "";
        try {
            GrubConfig.configureWithoutBackupCheck(javaDir, source, root, List.of(options));
            javaVerdict = "ok";
        } catch (IllegalArgumentException e) {
            javaVerdict = "refused";
            javaMessage = e.getMessage().replace(javaDir.toString(), "RELEASE").replaceAll("[0-9]+ KiB free", "N KiB free");
        }
        String shVerdict = sh.exit() == 0 ? "ok" : sh.exit() == 3 ? "refused" : "exit " + sh.exit() + ": " + sh.err();
        return new String[] {shVerdict, javaVerdict, Files.readString(shDir.resolve("grub/grub.cfg")),
            Files.readString(javaDir.resolve("grub/grub.cfg")), sh.err(), javaMessage,
            sh.err().strip().replace(shDir.toString(), "RELEASE").replaceAll("[0-9]+ KiB free", "N KiB free")
                    .replaceFirst("^configure_bootloader.sh: refused: ", "").replaceFirst("; grub.cfg is unchanged$", "")};
    }

    /**
     * Found by the boot-chain test: a /boot that runs out of room while the release is unpacked leaves
     * vmlinuz or initrd.gz cut short, and GRUB would boot that into a kernel panic. Both tools refuse a
     * file shorter than release.sizes says, a missing, damaged or cut-short release.sizes, with the same message;
     * an initrd.gz longer than recorded (add_ssh_key.sh appends to it) is fine.
     */
    @Test
    void aReleaseCutShortIsRefusedByBoth() throws IOException {
        List<Map.Entry<String, Change>> refused = List.of(
                Map.entry("RELEASE/vmlinuz is 2999 bytes, but the release's is 3000: it was cut short, most likely"
                        + " because RELEASE ran out of room while the release was unpacked",
                        r -> Files.write(r.resolve("vmlinuz"), new byte[2999])),
                Map.entry("RELEASE/initrd.gz is 0 bytes, but the release's is 5000",
                        r -> Files.write(r.resolve("initrd.gz"), new byte[0])),
                Map.entry("RELEASE/initrd.gz is 0 bytes", r -> Files.delete(r.resolve("initrd.gz"))),
                Map.entry("RELEASE/release.sizes is missing: the release in RELEASE is incomplete (RELEASE has ",
                        r -> Files.delete(r.resolve(GrubConfig.SIZES))),
                Map.entry("RELEASE/release.sizes is damaged: unpack the release again",
                        r -> Files.writeString(r.resolve(GrubConfig.SIZES), "3000 vmlinuz\nx initrd.gz\n")),
                Map.entry("RELEASE/release.sizes is damaged",
                        r -> Files.writeString(r.resolve(GrubConfig.SIZES), "3000 ../vmlinuz\n")),
                Map.entry("RELEASE/release.sizes is damaged",
                        r -> Files.writeString(r.resolve(GrubConfig.SIZES), "3000 vmlinuz extra\n")),
                // A full /boot can cut release.sizes itself short: empty, or listing one file only.
                Map.entry("RELEASE/release.sizes does not list vmlinuz: it was cut short, most likely because RELEASE"
                        + " ran out of room", r -> Files.writeString(r.resolve(GrubConfig.SIZES), "")),
                Map.entry("RELEASE/release.sizes does not list initrd.gz: it was cut short",
                        r -> Files.writeString(r.resolve(GrubConfig.SIZES), "3000 vmlinuz\n")));
        for (var c : refused) {
            // The free room of the shared /tmp changes between the two runs: the messages are compared without it.
            String[] r = both(c.getValue(), "bkt/k", "/dev/vda");
            assertThat(r[0]).as("shell: %s", c.getKey()).isEqualTo("refused");
            assertThat(r[1]).as("java: %s", c.getKey()).isEqualTo("refused");
            assertThat(r[2]).isEqualTo(OLD);
            assertThat(r[3]).isEqualTo(OLD);
            assertThat(r[5]).startsWith(c.getKey()).isEqualTo(r[6]);
        }
        String[] longer = both(r -> Files.write(r.resolve("initrd.gz"), new byte[6000]), "bkt/k", "/dev/vda");
        assertThat(longer[0]).as(longer[4]).isEqualTo("ok");
        assertThat(longer[1]).isEqualTo("ok");
    }

    @Test
    void theScriptHoldsTheSchemaOfTheJavaTools() throws IOException {
        List<String> lines = Files.readAllLines(ReleaseFiles.RELEASE.resolve("configure_bootloader.sh"));
        int start = lines.indexOf("    cat <<'SCHEMA'");
        int end = lines.indexOf("SCHEMA");
        assertThat(start).as("the script's schema table").isNotNegative();
        String table = String.join("\n", lines.subList(start + 1, end)) + "\n";
        assertThat(table).as("configure_bootloader.sh's table must be BootOptionSchema.shellTable(), which is:\n%s",
                BootOptionSchema.shellTable()).isEqualTo(BootOptionSchema.shellTable());
    }

    @Test
    void acceptedInputsGiveTheSameGrubCfg() throws IOException {
        String[][] cases = {
            {"my-bucket/images/server.img.lz4", "/dev/nvme0n1"},
            {"s3://my-bucket/a/b/c.lz4", "UUID=0a1b2c3d-4e5f-6789-abcd-ef0123456789"},
            {"https://images.example.com/x.zst", "LABEL=cloudimg-rootfs", "s3flash.sha256=" + SHA, "s3flash.watchdog=600"},
            {"gs://b/o", "PARTUUID=1234-01", "s3flash.endpoint=http://10.0.2.100:9000", "s3flash.option.s3.region=eu-west-1"},
            {"bkt/k~1%20x,y@z+1", "/dev/disk/by-id/nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1:2", "s3flash.after=none"},
            {"bkt/k", "PARTLABEL=root", "s3flash.option.http.header.authorization=Bearer:x", "s3flash.option.gzip.level=9"},
        };
        for (String[] c : cases) {
            String[] r = both(c[0], c[1], Arrays.copyOfRange(c, 2, c.length));
            assertThat(r[0]).as("shell, %s: %s", Arrays.toString(c), r[4]).isEqualTo("ok");
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
            {"bkt/k", "vda"}, {"bkt/k", "/dev/vda rw"}, {"bkt/k", "UUID=\"x\""}, {"bkt/k", "FOO=bar"}, {"bkt/k", ""},
            {"bkt/k", "/dev/"}, {"bkt/k", "/dev/../tmp/x"}, {"bkt/k", "/dev/vda", "init=/bin/sh"},
            {"bkt/k", "/dev/vda", "s3flash.x=a b"}, {"bkt/k", "/dev/vda", "s3flash.x=$(id)"},
            {"bkt/k", "/dev/vda", "s3flash.=x"}, {"bkt/k", "/dev/vda", "s3flash.x"},
            {"bkt/k", "/dev/vda", "s3flash.watchdg=600"}, {"bkt/k", "/dev/vda", "s3flash.watchdog=10m"},
            {"bkt/k", "/dev/vda", "s3flash.watchdog="}, {"bkt/k", "/dev/vda", "s3flash.after=none", "s3flash.after=reboot"},
            {"bkt/k", "/dev/vda", "s3flash.option.create=true"}, {"bkt/k", "/dev/vda", "s3flash.sha256=ab01"},
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

    /** One line of the generated table: an option, and the verdict the schema gives it. */
    private record Line(List<String> options, boolean accepted, String what) {}

    /**
     * The table: for every rule of the schema, its good values, its bad values, an empty value, the key
     * with typos (a letter left out, two swapped, one doubled) and the key given twice.
     */
    private static List<Line> generatedTable() {
        List<Line> table = new ArrayList<>();
        for (BootOptionSchema.Rule rule : BootOptionSchema.rules()) {
            boolean own = rule.key().equals("root") || rule.key().equals("source");
            String key = rule.key().replace("<plugin>", "gzip").replace("*", own ? "" : "level");
            if (own) {
                continue;
            }
            for (String good : rule.good()) {
                table.add(new Line(List.of(key + "=" + good), true, "good value"));
            }
            for (String bad : rule.bad()) {
                table.add(new Line(List.of(key + "=" + bad), false, "bad value"));
            }
            table.add(new Line(List.of(key + "="), false, "empty value"));
            String good = key + "=" + rule.good().getFirst();
            table.add(new Line(List.of(good, good), false, "repeated key"));
            int from = key.startsWith("s3flash.option.") ? key.lastIndexOf('.') + 1 : "s3flash.".length();
            for (String typo : typos(key, from)) {
                if (BootOptionSchema.rule(typo).isEmpty()) {
                    table.add(new Line(List.of(typo + "=" + rule.good().getFirst()), false, "typo"));
                }
            }
        }
        return table;
    }

    private static List<String> typos(String key, int from) {
        List<String> typos = new ArrayList<>();
        int at = from + (key.length() - from) / 2;
        typos.add(key.substring(0, at) + key.substring(at + 1));
        if (at + 1 < key.length()) {
            typos.add(key.substring(0, at) + key.charAt(at + 1) + key.charAt(at) + key.substring(at + 2));
        }
        typos.add(key.substring(0, at) + key.charAt(at) + key.substring(at));
        return typos.stream().filter(t -> !t.equals(key)).toList();
    }

    @Test
    void bothReachTheSchemasVerdictOnAGeneratedTableOfGoodAndBadLines() throws IOException {
        List<Line> table = generatedTable();
        assertThat(table).hasSizeGreaterThan(300);
        Map<String, String> disagreements = new LinkedHashMap<>();
        Path busybox = ReleaseFiles.busybox(tmp);
        for (Line line : table) {
            String[] r = both("my-bucket/os.img", "/dev/vda", line.options().toArray(String[]::new));
            String expected = line.accepted() ? "ok" : "refused";
            // As a busybox system (a minimal old OS) runs it: busybox's sh, awk and grep.
            List<String> args = new ArrayList<>(List.of("--no-backup-check", "my-bucket/os.img", "/dev/vda"));
            args.addAll(line.options());
            int onBusybox = ReleaseFiles.busyboxSh(busybox, ReleaseFiles.release(tmp.resolve("bb" + n++))
                    .resolve("configure_bootloader.sh"), args.toArray(String[]::new)).exit();
            if (!r[0].equals(expected) || !r[1].equals(expected) || !r[2].equals(r[3])
                    || onBusybox != (line.accepted() ? 0 : 3)) {
                disagreements.put(line.what() + " " + line.options(), "shell " + r[0] + ", java " + r[1]
                        + ", busybox exit " + onBusybox + "; " + r[4]);
            }
            if (line.what().equals("typo")) {
                assertThat(r[4]).as("%s", line.options()).contains("unknown option");
            }
        }
        assertThat(disagreements).as("lines where a tool and the schema disagree").isEmpty();
    }

    @Test
    void aTypoIsAnsweredWithTheKeyItWasMeantToBe() throws IOException {
        Path shDir = ReleaseFiles.release(tmp.resolve("typo"));
        var sh = ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), "--no-backup-check", "my-bucket/k",
                "/dev/vda", "s3flash.watchdg=600");
        assertThat(sh.err()).contains("unknown option s3flash.watchdg, did you mean s3flash.watchdog?");
        assertThatThrownBy(() -> GrubConfig.configureWithoutBackupCheck(ReleaseFiles.release(tmp.resolve("typo-java")),
                "my-bucket/k", "/dev/vda", List.of("s3flash.option.read.concurency=8")))
                .hasMessage("unknown option s3flash.option.read.concurency, did you mean"
                        + " s3flash.option.read.concurrency?");
    }

    /**
     * Whatever configure accepts, boot mode accepts: it never writes a grub.cfg whose command line boot
     * mode would refuse after the reboot. Seeded: values are mutated from the schema's own examples.
     */
    @Test
    void whatConfigureAcceptsBootModeAccepts() {
        long seed = Seeds.next();
        var random = new Random(seed);
        List<BootOptionSchema.Rule> rules = BootOptionSchema.rules();
        String alphabet = "abcXYZ019._~:/=+@%,-";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            String[] v = new String[3];
            String[] keys = new String[3];
            for (int j = 0; j < 3; j++) {
                BootOptionSchema.Rule rule = rules.get(j == 0 ? 1 : j == 1 ? 0 : 2 + random.nextInt(rules.size() - 2));
                keys[j] = rule.key().replace("<plugin>", "gzip").replace("*", "level");
                var s = new StringBuilder(random.nextInt(4) > 0 || rule.bad().isEmpty()
                        ? rule.good().get(random.nextInt(rule.good().size()))
                        : rule.bad().get(random.nextInt(rule.bad().size())));
                for (int m = random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0; m > 0; m--) {
                    int at = random.nextInt(s.length() + 1);
                    if (random.nextBoolean() && at < s.length()) {
                        s.deleteCharAt(at);
                    } else {
                        s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    }
                }
                v[j] = s.toString();
            }
            String args;
            try {
                args = BootArguments.render(v[0], v[1], List.of(keys[2] + "=" + v[2]));
            } catch (IllegalArgumentException refused) {
                continue;
            }
            accepted++;
            BootConfig config = BootConfig.from(KernelCommandLine.parse(args));
            assertThat(config.root()).as(Seeds.describe(seed)).isEqualTo(v[1]);
        }
        assertThat(accepted).as(Seeds.describe(seed)).isGreaterThan(2000);
    }

    @Test
    void fuzzedInputsGetTheSameVerdictAndOutputFromBoth() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        String alphabet = "abcXYZ019._~:/=+@%,-\"' ;\n\t$`{}\\|&#*?[]()<>!é";
        String[] prefixes = {"", "bkt/", "s3://b/", "/dev/", "UUID=", "s3flash.watchdog=", "s3flash.endpoint=http://",
            "s3flash.option.read.concurrency=", "s3flash.option.gzip.x="};
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
        assertThat(ReleaseFiles.sh(dir.resolve("configure_bootloader.sh"), "--no-backup-check", "abc/b", "/dev/vda")
                .exit()).isZero();
        GrubConfig.configureWithoutBackupCheck(dir, "cde/d", "/dev/vdb", List.of());
        String cfg = Files.readString(dir.resolve("grub/grub.cfg"));
        assertThat(cfg).contains("root=/dev/vdb source=cde/d\n").doesNotContain("abc/b");
    }

    @Test
    void theCliAndTheScriptAgreeOnExitCodes() throws IOException {
        Path shDir = ReleaseFiles.release(tmp.resolve("cli-sh"));
        Path javaDir = ReleaseFiles.release(tmp.resolve("cli-java"));
        assertThat(ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), "only-one").exit()).isEqualTo(2);
        assertThat(ReleaseFiles.cli("grub", "configure", "--boot", javaDir.toString(), "only-one").exit()).isEqualTo(2);
        assertThat(ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), "--no-backup-check", "bkt/k;x", "/dev/vda")
                .exit()).isEqualTo(3);
        assertThat(ReleaseFiles.cli("grub", "configure", "--no-backup-check", "--boot", javaDir.toString(), "bkt/k;x",
                "/dev/vda").exit()).isEqualTo(3);
        var sh = ReleaseFiles.sh(shDir.resolve("configure_bootloader.sh"), "--no-backup-check", "bkt/k", "/dev/vda",
                "s3flash.verify=true");
        assertThat(sh.exit()).as(sh.err()).isZero();
        var cli = ReleaseFiles.cli("grub", "configure", "--no-backup-check", "--boot", javaDir.toString(), "bkt/k",
                "/dev/vda", "s3flash.verify=true");
        assertThat(cli.exit()).as(cli.err()).isZero();
        assertThat(Files.readString(javaDir.resolve("grub/grub.cfg")))
                .isEqualTo(Files.readString(shDir.resolve("grub/grub.cfg")));
        assertThat(sh.out()).endsWith(": root=/dev/vda source=bkt/k s3flash.verify=true\n");
        assertThat(cli.out()).endsWith(": root=/dev/vda source=bkt/k s3flash.verify=true\n");
    }

    @Test
    void aTemplateWithoutExactlyOnePlaceholderIsRefused() throws IOException {
        Path dir = ReleaseFiles.release(tmp.resolve("template"));
        Files.writeString(dir.resolve("grub/grub.cfg.in"), "linux /vmlinuz @S3FLASH_ARGS@ @S3FLASH_ARGS@\n");
        assertThatThrownBy(() -> GrubConfig.configureWithoutBackupCheck(dir, "bkt/k", "/dev/vda", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly once");
        assertThat(ReleaseFiles.sh(dir.resolve("configure_bootloader.sh"), "--no-backup-check", "bkt/k", "/dev/vda")
                .exit()).isEqualTo(3);
        assertThat(dir.resolve("grub/grub.cfg")).doesNotExist();
    }
}
