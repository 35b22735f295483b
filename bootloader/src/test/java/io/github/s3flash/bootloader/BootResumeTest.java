package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.S3FaultProxy;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume: boot mode flashes an indexed image from S3 (S3Proxy behind the fault proxy, on 127.0.0.1);
 * the connection of a chunk read about half-way through is cut, with one attempt per read, so the
 * flash fails after writing began and boot mode retries the whole flash. The retry (delta, on by
 * default in boot mode) reads the disk, finds the chunks the failed attempt wrote and verified, and
 * fetches only the others: the bytes requested over both attempts stay far below two images, and
 * the final disk is byte-exact.
 */
class BootResumeTest {

    private static final int CHUNKS = 24;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static S3TestServer s3;

    @BeforeAll
    static void startS3() throws IOException {
        s3 = S3TestServer.start(shared.resolve("s3"));
        s3.createBucket("fleet-images");
    }

    @AfterAll
    static void stopS3() throws IOException {
        s3.close();
    }

    @Test
    void aRetryAfterACutConnectionFetchesOnlyTheChunksNotYetWritten() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.random(new Random(seed), CHUNKS << 20);
        Path raw = Files.write(dir.resolve("disk.img"), image);
        Path object = dir.resolve("disk.img.lz4");
        var create = CliProcess.modulePath("image", "create", "--source", raw.toString(), "--target",
                object.toString(), "--chunk-size", "1m", "--progress", "none");
        assertThat(create.exit()).as(create.toString()).isZero();
        s3.aws("s3", "cp", object.toString(), "s3://fleet-images/os/disk.img.lz4");

        // Ranged GETs: the head, the tail, then one per chunk; the 14th is the 12th chunk's.
        S3FaultProxy.Plan plan = (method, n, range, auth) ->
                method.equals("GET") && n == 14 ? S3FaultProxy.Fault.CUT : S3FaultProxy.Fault.NONE;
        Path calls = dir.resolve("reboots");
        Path hook = Files.writeString(dir.resolve("reboot-hook"), "#!/bin/sh\necho reboot >> " + calls + "\n");
        assertThat(hook.toFile().setExecutable(true)).isTrue();
        try (var proxy = new S3FaultProxy(s3.port(), plan, Duration.ofSeconds(2));
                var loop = LoopDevice.create(dir, 32 << 20)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + loop.device()
                    + " source=fleet-images/os/disk.img.lz4 s3flash.endpoint=" + proxy.endpoint()
                    + " s3flash.option.read.concurrency=2 s3flash.option.retry.attempts=1 s3flash.watchdog=300"
                    + " s3flash.progress=1\n");
            var r = CliProcess.modulePathWithEnv(Map.of("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY_ID,
                    "AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_ACCESS_KEY, "AWS_REGION", S3TestServer.REGION,
                    "AWS_EC2_METADATA_DISABLED", "true", "AWS_CONFIG_FILE", "/nonexistent",
                    "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"), "boot", "--cmdline", cmdline.toString(),
                    "--reboot-command", hook.toString(), "--state-dir", dir.resolve("state").toString());
            String where = r + Seeds.describe(seed);
            assertThat(r.exit()).as(where).isZero();
            assertThat(proxy.faults(S3FaultProxy.Fault.CUT)).isEqualTo(1);
            assertThat(r.err()).as(where).contains("flash failed after writing began");
            assertThat(loop.read(image.length)).as(Seeds.describe(seed)).isEqualTo(image);

            Matcher chunks = Pattern.compile("chunks: (\\d+) written, (\\d+) identical on the disk").matcher(r.err());
            assertThat(chunks.find()).as(where).isTrue();
            int written = Integer.parseInt(chunks.group(1));
            int identical = Integer.parseInt(chunks.group(2));
            assertThat(written + identical).isEqualTo(CHUNKS);
            assertThat(identical).as("chunks the failed attempt wrote, found on the disk by the retry")
                    .isGreaterThanOrEqualTo(9);
            long requested = 0;
            for (String range : proxy.ranges()) {
                Matcher m = Pattern.compile("bytes=(\\d+)-(\\d+)").matcher(range);
                if (m.find()) {
                    requested += Long.parseLong(m.group(2)) - Long.parseLong(m.group(1)) + 1;
                }
            }
            long objectLength = Files.size(object);
            // Both attempts read head and tail (256 KiB each); the chunks in flight when the cut came
            // (two, and the cut one) are fetched again. A retry from scratch would add a whole image.
            assertThat(requested).as("bytes requested over both attempts, " + where)
                    .isLessThanOrEqualTo(objectLength + 2 * (256 << 10) + 3 * (1100 << 10));
        }
    }
}
