package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.bootloader.boot.Ext4RootFixture;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.S3FaultProxy;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3flash boot} as the in-memory OS runs it, against a real S3 API server (S3Proxy on
 * 127.0.0.1) and real loop devices, with reboot replaced by a hook script: the original's bare
 * {@code source=bucket/key}, an image uploaded exactly as the original did ({@code lz4 -c disk.img |
 * aws s3 cp - s3://bucket/key}), connections cut mid-body, and an object that never appears.
 */
class BootFromS3Test {

    @RegisterExtension
    static final S3Fixture s3 = new S3Fixture("fleet-images");

    @TempDir
    Path dir;

    private Path rebootHook(Path calls) throws IOException {
        Path hook = Files.writeString(dir.resolve("reboot-hook"), "#!/bin/sh\necho reboot >> " + calls + "\n");
        hook.toFile().setExecutable(true);
        return hook;
    }

    @Test
    void flashesTheOriginalsUploadThroughCutConnectionsAndRebootsOnce() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 24 << 20);
        Path raw = Files.write(dir.resolve("disk.img"), image);
        var uploader = new ProcessBuilder("sh", "-c", "lz4 -q -c " + raw + " | " + String.join(" ",
                s3.server().awsCommand("s3", "cp", "-", "s3://fleet-images/os/disk.img.lz4"))).redirectErrorStream(true);
        uploader.environment().putAll(s3.server().cliEnvironment());
        Process upload = uploader.start();
        upload.getOutputStream().close();
        String uploadOut = new String(upload.getInputStream().readAllBytes());
        assertThat(upload.waitFor()).as(uploadOut).isZero();

        AtomicInteger cut = new AtomicInteger();
        S3FaultProxy.Plan plan = (method, n, range, auth) ->
                method.equals("GET") && n <= 2 ? count(cut, S3FaultProxy.Fault.CUT) : S3FaultProxy.Fault.NONE;
        Path calls = dir.resolve("reboots");
        try (var proxy = new S3FaultProxy(s3.server().port(), plan, Duration.ofSeconds(2));
                var loop = LoopDevice.create(dir, 32 << 20)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + loop.device()
                    + " source=fleet-images/os/disk.img.lz4 s3flash.endpoint=" + proxy.endpoint()
                    + " s3flash.sha256=" + TestImages.sha256(image)
                    + " s3flash.option.read.part-size=4m s3flash.option.retry.base-delay=50ms s3flash.watchdog=300"
                    + " s3flash.progress=1 console=ttyS0\n");
            var r = CliProcess.modulePathWithEnv(s3.server().cliEnvironment(), "boot", "--cmdline", cmdline.toString(),
                    "--reboot-command", rebootHook(calls).toString(), "--state-dir", dir.resolve("state").toString());
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            assertThat(Files.readAllLines(calls)).containsExactly("reboot");
            assertThat(cut).hasValue(2);
            assertThat(proxy.faults(S3FaultProxy.Fault.CUT)).isEqualTo(2);
            assertThat(r.err()).contains("boot mode: flashing s3://fleet-images/os/disk.img.lz4")
                    .contains("retrying read at byte")
                    .contains("progress:")
                    .contains("sha256 " + TestImages.sha256(image))
                    .contains("rebooting into the new image");
        }
    }

    @Test
    void anObjectThatNeverAppearsRestoresTheOldBootAfterTheWatchdog() throws Exception {
        Path calls = dir.resolve("reboots");
        try (var root = Ext4RootFixture.create(dir, "fleet-images/not/uploaded.img.lz4")) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + root.device()
                    + " source=fleet-images/not/uploaded.img.lz4 s3flash.endpoint=" + s3.server().endpoint()
                    + " s3flash.watchdog=4\n");
            var r = CliProcess.modulePathWithEnv(s3.server().cliEnvironment(), "boot", "--cmdline", cmdline.toString(),
                    "--reboot-command", rebootHook(calls).toString(), "--state-dir", dir.resolve("state").toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(BootCommand.RESTORED);
            assertThat(Files.readAllLines(calls)).containsExactly("reboot");
            assertThat(r.err()).contains("flash not started:").contains("fleet-images")
                    .contains("watchdog: nothing written 4 s after the flash service first started")
                    .contains("restored /boot from /boot.bak on " + root.device());
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
        }
    }

    /**
     * Item 12 of issue 13: after the point of no return the service keeps retrying, opening the source
     * anew each time. A corrupt object fails after writing began; the right one, uploaded under the same
     * key while the service waits (it says what for), is picked up (a new ETag) and flashed.
     */
    @Test
    void aCorruptObjectReplacedUnderTheSameKeyWhileTheServiceRetriesIsFlashed() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 24 << 20);
        Path raw = Files.write(dir.resolve("disk.img"), image);
        Path good = dir.resolve("disk.img.lz4");
        var lz4 = new ProcessBuilder("lz4", "-q", "-f", raw.toString(), good.toString()).inheritIO().start();
        assertThat(lz4.waitFor()).isZero();
        byte[] corrupt = Files.readAllBytes(good);
        // Near the end: the first chunks are written before the decoder meets the damage.
        for (int i = corrupt.length * 9 / 10; i < corrupt.length * 9 / 10 + 64; i++) {
            corrupt[i] ^= (byte) 0x5a;
        }
        Path bad = Files.write(dir.resolve("corrupt.img.lz4"), corrupt);
        String key = "s3://fleet-images/os/replaced.img.lz4";
        s3.server().aws("s3", "cp", bad.toString(), key);
        Path calls = dir.resolve("reboots");
        try (var loop = LoopDevice.create(dir, 32 << 20)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + loop.device()
                    + " source=fleet-images/os/replaced.img.lz4 s3flash.endpoint=" + s3.server().endpoint()
                    + " s3flash.sha256=" + TestImages.sha256(image) + " s3flash.watchdog=300"
                    + " s3flash.option.chunk-size=1m\n");
            var boot = new CliProcess.Running(s3.server().cliEnvironment(), "boot", "--cmdline", cmdline.toString(),
                    "--reboot-command", rebootHook(calls).toString(), "--state-dir", dir.resolve("state").toString());
            assertThat(boot.awaitErr("flash failed after writing began", Duration.ofMinutes(2)))
                    .as("the corrupt object fails after writing began:\n%s", boot.err()).isTrue();
            s3.server().aws("s3", "cp", good.toString(), key);
            var r = boot.finish();
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            assertThat(Files.readAllLines(calls)).containsExactly("reboot");
            assertThat(r.err()).contains("then opening s3://fleet-images/os/replaced.img.lz4 anew and flashing the"
                    + " whole image again (an object replaced meanwhile is picked up")
                    .contains("sha256 " + TestImages.sha256(image))
                    .doesNotContain("restored");
        }
    }

    private static S3FaultProxy.Fault count(AtomicInteger counter, S3FaultProxy.Fault fault) {
        counter.incrementAndGet();
        return fault;
    }
}
