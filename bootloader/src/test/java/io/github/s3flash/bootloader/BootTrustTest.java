package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.bootloader.boot.Ext4RootFixture;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boot mode with trusted keys in the initrd (the file {@code s3flash initrd add-trusted-key} installs,
 * given here with the hidden {@code --trusted-keys}): an indexed image signed by one of them is
 * flashed and the console says by whom; an unsigned one is refused before the first write and the
 * old boot restored at once (no retry can make it trusted); {@code s3flash.digest=} pins an image.
 */
class BootTrustTest {

    @TempDir
    Path dir;

    private Path hook(Path calls) throws Exception {
        Path hook = Files.writeString(dir.resolve("reboot-hook"), "#!/bin/sh\necho reboot >> " + calls + "\n");
        assertThat(hook.toFile().setExecutable(true)).isTrue();
        return hook;
    }

    private Path image(byte[] image, boolean signed, Path key) throws Exception {
        Path raw = Files.write(dir.resolve("disk.img"), image);
        Path object = dir.resolve((signed ? "signed" : "unsigned") + ".img.lz4");
        var args = new java.util.ArrayList<>(List.of("image", "create", "--source", raw.toString(), "--target",
                object.toString(), "--chunk-size", "1m", "--progress", "none"));
        if (signed) {
            args.addAll(List.of("--sign-key", key.toString()));
        }
        var r = CliProcess.modulePath(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return object;
    }

    private Path signers(Path key) throws Exception {
        Cli.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "release", "-f", key.toString()), null,
                dir.resolve("keygen.out"));
        String[] pub = Files.readString(Path.of(key + ".pub")).strip().split(" ");
        return Files.writeString(dir.resolve("allowed_signers"), "release@example.com " + pub[0] + " " + pub[1] + "\n");
    }

    @Test
    void aSignedImageIsFlashedAndTheConsoleSaysWhoSignedIt() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), (5 << 20) + 12345);
        Path key = dir.resolve("release-key");
        Path signers = signers(key);
        Path object = image(image, true, key);
        Path calls = dir.resolve("reboots");
        try (var loop = LoopDevice.create(dir, 8 << 20)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + loop.device() + " source="
                    + object.toUri() + " s3flash.watchdog=300\n");
            var r = CliProcess.modulePath("boot", "--cmdline", cmdline.toString(), "--trusted-keys",
                    signers.toString(), "--reboot-command", hook(calls).toString(), "--state-dir",
                    dir.resolve("state").toString());
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            assertThat(loop.read(image.length)).isEqualTo(image);
            assertThat(r.err()).contains("the image must be an indexed image signed by a key of " + signers)
                    .contains("trust: signature: signed by ED25519");
        }
    }

    @Test
    void anUnsignedImageIsRefusedAndTheOldBootRestoredAtOnce() throws Exception {
        long seed = Seeds.next();
        Path key = dir.resolve("release-key");
        Path signers = signers(key);
        Path object = image(TestImages.diskLike(new Random(seed), 3 << 20), false, key);
        String source = object.toUri().toString();
        Path calls = dir.resolve("reboots");
        try (var root = Ext4RootFixture.create(dir, source)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + root.device() + " source=" + source
                    + " s3flash.watchdog=300\n");
            var r = CliProcess.modulePath("boot", "--cmdline", cmdline.toString(), "--trusted-keys",
                    signers.toString(), "--reboot-command", hook(calls).toString(), "--state-dir",
                    dir.resolve("state").toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(BootCommand.RESTORED);
            assertThat(r.err()).contains("the image is not signed, and trusted keys")
                    .contains("restored /boot from /boot.bak on " + root.device())
                    .doesNotContain("watchdog: nothing written");
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(Files.readAllLines(calls)).containsExactly("reboot");
        }
    }
}
