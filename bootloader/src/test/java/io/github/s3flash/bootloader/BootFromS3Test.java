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
    static final S3Fixture s3 = new S3Fixture("fleet-images", "fleet-reports");

    @TempDir
    Path dir;

    /** This machine's host name and boot id, as boot mode fills them into s3flash.report=. */
    private static String machine(String file) throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel", file)).strip();
    }

    /** The report boot mode left at {@code key} of the reports bucket. */
    private static String report(String key) throws IOException {
        return s3.server().aws("s3", "cp", "s3://fleet-reports/" + key, "-");
    }

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
                    + " s3flash.watchdog=4 s3flash.report=s3://fleet-reports/restored/@boot_id@.json\n");
            var r = CliProcess.modulePathWithEnv(s3.server().cliEnvironment(), "boot", "--cmdline", cmdline.toString(),
                    "--reboot-command", rebootHook(calls).toString(), "--state-dir", dir.resolve("state").toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(BootCommand.RESTORED);
            assertThat(Files.readAllLines(calls)).containsExactly("reboot");
            assertThat(r.err()).contains("flash not started:").contains("fleet-images")
                    .contains("watchdog: nothing written 4 s after the flash service first started")
                    .contains("restored /boot from /boot.bak on " + root.device());
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(report("restored/" + machine("random/boot_id") + ".json"))
                    .contains("\"outcome\":\"restored\",\"reason\":\"watchdog: nothing written 4 s after")
                    .contains("\"flash\":{\"outcome\":\"refused\",\"exit_code\":3,");
            restartedInTheSameBoot(cmdline, calls, root, "restored/" + machine("random/boot_id") + ".json",
                    "watchdog: nothing written 4 s after");
        }
    }

    /**
     * The service started again in the same boot after its restore, as {@code /init} restarts it when
     * its JVM dies before the reboot (a JVM's fatal error while the report was being sent, say): it
     * reboots into the old OS at once, touches nothing, and sends the restore's report again with the
     * reason the first run recorded, since the first may never have sent it.
     */
    private void restartedInTheSameBoot(Path cmdline, Path calls, Ext4RootFixture root, String key, String reason)
            throws Exception {
        s3.server().aws("s3", "rm", "s3://fleet-reports/" + key);
        var again = CliProcess.modulePathWithEnv(s3.server().cliEnvironment(), "boot", "--cmdline", cmdline.toString(),
                "--reboot-command", rebootHook(calls).toString(), "--state-dir", dir.resolve("state").toString());
        assertThat(again.exit()).as(again.toString()).isEqualTo(BootCommand.RESTORED);
        assertThat(again.err()).contains("the old boot was put back by an earlier run of the flash service in this"
                + " boot").contains("report (restored) sent to s3://fleet-reports/" + key)
                .doesNotContain("restoring the original boot");
        assertThat(Files.readAllLines(calls)).containsExactly("reboot", "reboot");
        assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
        assertThat(report(key)).contains("\"outcome\":\"restored\",\"reason\":\"" + reason)
                .contains("(reported by the flash service restarted in the same boot: the run that restored the old"
                        + " boot ended before it could reboot)");
    }

    /**
     * {@code s3flash.report=}: the report of the flash lands where the operator asked, under this
     * machine's name, and says what was flashed.
     */
    @Test
    void theReportOfAFlashLandsUnderTheMachinesName() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 4 << 20);
        Path raw = Files.write(dir.resolve("small.img"), image);
        s3.server().aws("s3", "cp", raw.toString(), "s3://fleet-images/os/small.img");
        Path calls = dir.resolve("reboots");
        try (var loop = LoopDevice.create(dir, 8 << 20)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + loop.device()
                    + " source=fleet-images/os/small.img s3flash.codec=raw s3flash.endpoint=" + s3.server().endpoint()
                    + " s3flash.watchdog=300"
                    + " s3flash.report=s3://fleet-reports/boot/@hostname@/@boot_id@.json\n");
            var r = CliProcess.modulePathWithEnv(s3.server().cliEnvironment(), "boot", "--cmdline", cmdline.toString(),
                    "--reboot-command", rebootHook(calls).toString(), "--state-dir", dir.resolve("state").toString());
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);
            String key = "boot/" + machine("hostname") + "/" + machine("random/boot_id") + ".json";
            assertThat(r.err()).contains("report (flashed) sent to s3://fleet-reports/" + key);
            assertThat(report(key)).startsWith("{\"mode\":\"boot\",\"outcome\":\"flashed\",\"reason\":null,\"attempt\":1,")
                    .contains("\"hostname\":\"" + machine("hostname") + "\"")
                    .contains("\"flash\":{\"outcome\":\"flashed\",\"exit_code\":0,")
                    .contains("\"source\":\"s3://fleet-images/os/small.img\"")
                    .contains("\"written\":" + image.length + ",")
                    .contains("\"sha256\":\"" + TestImages.sha256(image) + "\"");
        }
    }

    /**
     * A command line boot mode cannot use (a bad value a hand edit put in grub.cfg) restores the old
     * boot at once, and the report says so and why.
     */
    @Test
    void aBadOptionRestoresAtOnceAndReportsWhy() throws Exception {
        Path calls = dir.resolve("reboots");
        try (var root = Ext4RootFixture.create(dir, "fleet-images/os/disk.img.lz4")) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + root.device()
                    + " source=fleet-images/os/disk.img.lz4 s3flash.endpoint=" + s3.server().endpoint()
                    + " s3flash.watchdog=10m s3flash.report=s3://fleet-reports/bad/@hostname@.json\n");
            var r = CliProcess.modulePathWithEnv(s3.server().cliEnvironment(), "boot", "--cmdline", cmdline.toString(),
                    "--reboot-command", rebootHook(calls).toString(), "--state-dir", dir.resolve("state").toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(BootCommand.RESTORED);
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(report("bad/" + machine("hostname") + ".json"))
                    .contains("\"outcome\":\"restored\",\"reason\":\"the kernel command line cannot be used:")
                    .contains("s3flash.watchdog=10m").contains("\"attempt\":0,").contains("\"flash\":null");
            restartedInTheSameBoot(cmdline, calls, root, "bad/" + machine("hostname") + ".json",
                    "the kernel command line cannot be used:");
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
                    + " s3flash.option.chunk-size=1m s3flash.report=s3://no-such-bucket/r.json\n");
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
                    .doesNotContain("restored")
                    // A report that cannot be delivered changes nothing: it is said, and the flash goes on.
                    .contains("report (retrying) not sent to s3://no-such-bucket/r.json")
                    .contains("report (flashed) not sent to s3://no-such-bucket/r.json");
        }
    }

    private static S3FaultProxy.Fault count(AtomicInteger counter, S3FaultProxy.Fault fault) {
        counter.incrementAndGet();
        return fault;
    }
}
