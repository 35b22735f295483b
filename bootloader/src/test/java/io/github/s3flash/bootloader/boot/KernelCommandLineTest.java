package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.Seeds;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KernelCommandLineTest {

    @Test
    void splitsLikeTheKernel() {
        var c = KernelCommandLine.parse("BOOT_IMAGE=/vmlinuz root=/dev/xvda ro quiet \"label=a b\" s3flash.codec=\"lz4\""
                + " console=ttyS0 console=tty0 -- init-arg=1\n");
        assertThat(c.parameters()).containsExactly(
                Map.entry("BOOT_IMAGE", "/vmlinuz"), Map.entry("root", "/dev/xvda"), Map.entry("ro", ""),
                Map.entry("quiet", ""), Map.entry("label", "a b"), Map.entry("s3flash.codec", "lz4"),
                Map.entry("console", "tty0"));
    }

    @Test
    void repeatedKeysLastWinsAndAreNamed() {
        var c = KernelCommandLine.parse("source=a/b source=c/d root=/dev/a root=/dev/b console=ttyS0 console=tty0 ro");
        assertThat(c.parameters()).containsEntry("source", "c/d").containsEntry("root", "/dev/b");
        assertThat(c.repeated()).containsExactly("source", "root", "console");
    }

    @Test
    void bootModesOwnKeysGivenTwiceMakeTheLineUnusableOthersDoNot() {
        assertThatThrownBy(() -> BootConfig.from(KernelCommandLine.parse(
                "root=/dev/vda source=my-bucket/k s3flash.watchdog=60 s3flash.watchdog=600")))
                .hasMessageStartingWith("s3flash.watchdog= is given more than once");
        assertThatThrownBy(() -> BootConfig.from(KernelCommandLine.parse("root=/dev/vda root=/dev/vdb source=my-bucket/k")))
                .hasMessageStartingWith("root= is given more than once");
        assertThat(BootConfig.from(KernelCommandLine.parse("console=tty0 console=ttyS0 root=/dev/vda source=my-bucket/k"))
                .root()).isEqualTo("/dev/vda");
    }

    @Test
    void aColonInTheKeyOfBucketKeyIsNoScheme() {
        assertThat(BootConfig.from(KernelCommandLine.parse("root=/dev/vda source=my-bucket/a:b")).source())
                .isEqualTo(URI.create("s3://my-bucket/a:b"));
    }

    @Test
    void quotedValueKeepsSpacesAndEquals() {
        assertThat(KernelCommandLine.parse("x=\"a=b c\" y").get("x")).contains("a=b c");
    }

    @Test
    void bareBucketKeyMeansS3AsInTheOriginal() {
        var config = BootConfig.from(KernelCommandLine.parse("root=/dev/xvda source=my-bucket/images/os v1.img.lz4"
                .replace("os v1", "os-v1")));
        assertThat(config.source()).isEqualTo(URI.create("s3://my-bucket/images/os-v1.img.lz4"));
        assertThat(config.watchdog()).isEqualTo(Duration.ofSeconds(1000));
        assertThat(config.after()).isEqualTo(BootConfig.After.REBOOT);
    }

    @Test
    void urisAndNamespacedOptions() {
        var config = BootConfig.from(KernelCommandLine.parse("root=UUID=1234-ABCD source=https://h/os.img.zst"
                + " s3flash.codec=zstd s3flash.sha256=" + "AB".repeat(32) + " s3flash.watchdog=30"
                + " s3flash.endpoint=http://10.0.2.100:9000 s3flash.verify=true s3flash.zero=zeroout"
                + " s3flash.after=none s3flash.option.read.concurrency=8 s3flash.progress=2"));
        assertThat(config.source()).isEqualTo(URI.create("https://h/os.img.zst"));
        assertThat(config.codec()).isEqualTo("zstd");
        assertThat(config.sha256()).isEqualTo("ab".repeat(32));
        assertThat(config.watchdog()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.after()).isEqualTo(BootConfig.After.NONE);
        assertThat(config.progressInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.options().values()).containsEntry("s3.endpoint", "http://10.0.2.100:9000")
                .containsEntry("verify", "true").containsEntry("zero", "zeroout")
                .containsEntry("read.concurrency", "8");
    }

    @Test
    void unknownOrMalformedOptionsListTheValidOnes() {
        for (String bad : new String[] {"s3flash.watchdg=5", "s3flash.watchdog=soon", "s3flash.watchdog=-1",
            "s3flash.after=halt", "s3flash.sha256=xyz", "s3flash.endpoint=ftp://x", "s3flash.verify=maybe",
            "s3flash.codec=", "s3flash.option.create=true", "s3flash.option.read.concurency=8", "s3flash.verify"}) {
            assertThatThrownBy(() -> BootConfig.from(KernelCommandLine.parse("root=/dev/vda source=my-bucket/k " + bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.split("=")[0])
                    .hasMessageContaining("Valid kernel options: root=")
                    .hasMessageContaining("s3flash.watchdog= (seconds after the flash service first starts");
        }
    }

    @Test
    void missingRootOrSourceIsExplained() {
        assertThatThrownBy(() -> BootConfig.from(KernelCommandLine.parse("source=my-bucket/k")))
                .hasMessageContaining("root= is missing");
        assertThatThrownBy(() -> BootConfig.from(KernelCommandLine.parse("root=/dev/vda")))
                .hasMessageContaining("source= is missing");
        assertThatThrownBy(() -> BootConfig.from(KernelCommandLine.parse("root=/dev/vda source=justaname")))
                .hasMessageContaining("refusing source=justaname: expected bucket/key (S3) or a URI");
    }

    /** Fuzz: any bytes as a command line parse, and BootConfig either accepts them or says why. */
    @Test
    void fuzzedCommandLinesNeverFailUnexpectedly() {
        long seed = Seeds.next();
        var random = new Random(seed);
        String alphabet = "ab=\" \t\n/.:-_s3flash.root=source=UUID=LABEL=\u0000é-";
        for (int i = 0; i < 20_000; i++) {
            var text = new StringBuilder(random.nextBoolean() ? "root=/dev/vda source=my-bucket/k " : "");
            int n = random.nextInt(60);
            for (int j = 0; j < n; j++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            KernelCommandLine parsed = KernelCommandLine.parse(text.toString());
            assertThat(parsed.parameters().keySet()).as(Seeds.describe(seed)).allMatch(k -> !k.isEmpty());
            try {
                BootConfig config = BootConfig.from(parsed);
                new RootDevice(java.nio.file.Path.of("/dev")).path(config.root());
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).as(Seeds.describe(seed)).isNotBlank();
            }
        }
    }
}
