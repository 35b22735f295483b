package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceThrottledException;
import io.github.s3flash.testkit.S3FaultProxy;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole flashes from a real S3Proxy into a real loop device, through the pipeline with the real
 * sink: objects uploaded by the SDK and by Debian's aws CLI, faults injected by {@link S3FaultProxy},
 * an object replaced mid-flash, and refusals that leave the target untouched.
 */
class S3FlashTest {

    private static final int MIB = 1 << 20;
    /** Small parts so that a modest image is read in many parallel, resumable ranges. */
    private static final Options PARTS = Options.empty().with("read.part-size", "1m").with("read.concurrency", "4");

    @TempDir
    static Path dir;

    static S3Fixture s3;

    @BeforeAll
    static void startServer() throws IOException {
        s3 = S3Fixture.start(dir.resolve("s3"));
    }

    @AfterAll
    static void stopServer() throws IOException {
        s3.close();
    }

    private static byte[] image(Random random, int sectors) {
        return TestImages.diskLike(random, sectors * 512);
    }

    private static FlashResult flashInto(LoopDevice loop, URI uri, Options options, List<ProgressEvent> events)
            throws IOException {
        var plan = FlashPlan.of(uri, loop.device()).withCodec("raw").withOptions(options);
        return Flasher.withInstalledProviders().flash(plan, events::add);
    }

    @Test
    void anImageUploadedByTheSdkFlashesByteExact() throws IOException {
        long seed = Seeds.next();
        byte[] bytes = image(new Random(seed), 12 * 2048 + 7);
        URI uri = s3.put("sdk/disk.img", bytes);
        try (var loop = LoopDevice.create(dir, 16 * MIB)) {
            var events = new CopyOnWriteArrayList<ProgressEvent>();
            FlashResult result = flashInto(loop, uri, s3.options().with(PARTS), events);
            assertThat(result.sha256()).as(Seeds.describe(seed)).isEqualTo(TestImages.sha256(bytes));
            assertThat(loop.read(bytes.length)).as(Seeds.describe(seed)).isEqualTo(bytes);
            assertThat(result.bytesRead()).isEqualTo(bytes.length);
        }
    }

    @Test
    void anImageUploadedByTheAwsCliFromAPipeFlashesByteExact() throws IOException, InterruptedException {
        long seed = Seeds.next();
        // Over the CLI's 8 MiB multipart threshold: a multipart object, with a multipart ETag on S3.
        byte[] bytes = image(new Random(seed), 20 * 2048 + 3);
        Path file = Files.write(dir.resolve("cli-disk.img"), bytes);
        // As the original's example script did, with the codec left out: `cat disk.img | aws s3 cp - s3://bucket/key`.
        Process upload = s3.server.awsProcess("s3", "cp", "-", "s3://" + S3Fixture.BUCKET + "/cli/disk.img")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String out = new String(upload.getInputStream().readAllBytes());
        assertThat(upload.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(upload.exitValue()).as(out).isZero();
        try (var loop = LoopDevice.create(dir, 24 * MIB)) {
            FlashResult result = flashInto(loop, S3Fixture.uri("cli/disk.img"), s3.options().with(PARTS),
                    new CopyOnWriteArrayList<>());
            assertThat(result.sha256()).as(Seeds.describe(seed)).isEqualTo(TestImages.sha256(bytes));
            assertThat(loop.read(bytes.length)).as(Seeds.describe(seed)).isEqualTo(bytes);
        }
    }

    @Test
    void anLz4ImageUploadedExactlyAsTheOriginalDidFlashesByteExactWithTheCodecDetected()
            throws IOException, InterruptedException {
        long seed = Seeds.next();
        byte[] bytes = image(new Random(seed), 20 * 2048 + 5);
        Path file = Files.write(dir.resolve("lz4-disk.img"), bytes);
        // The original's example script: lz4 -c disk.img | aws s3 cp - s3://bucket/key
        var env = s3.server.cliEnvironment();
        String pipeline = "lz4 -c " + file + " | " + String.join(" ",
                s3.server.awsCommand("s3", "cp", "-", "s3://" + S3Fixture.BUCKET + "/cli/disk.img.lz4"));
        var builder = new ProcessBuilder("bash", "-o", "pipefail", "-c", pipeline).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process upload = builder.start();
        String out = new String(upload.getInputStream().readAllBytes());
        assertThat(upload.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(upload.exitValue()).as(out).isZero();
        try (var loop = LoopDevice.create(dir, 24 * MIB)) {
            var plan = FlashPlan.of(S3Fixture.uri("cli/disk.img.lz4"), loop.device()).withOptions(s3.options().with(PARTS));
            FlashResult result = Flasher.withInstalledProviders().flash(plan);
            assertThat(result.codec()).isEqualTo("lz4");
            assertThat(result.sha256()).as(Seeds.describe(seed)).isEqualTo(TestImages.sha256(bytes));
            assertThat(loop.read(bytes.length)).as(Seeds.describe(seed)).isEqualTo(bytes);
        }
    }

    @Test
    void cutsStallsAndSlowDownsAreRetriedAndResumedToAByteExactFlash() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] bytes = image(random, 10 * 2048 + 11);
        URI uri = s3.put("faulty/disk.img", bytes);
        long planSeed = random.nextLong();
        // The first GETs meet one fault of each kind, then a seeded quarter of the rest fail too.
        S3FaultProxy.Plan plan = (method, n, range, authorization) -> {
            if (!method.equals("GET")) {
                return S3FaultProxy.Fault.NONE;
            }
            if (n <= 3) {
                return List.of(S3FaultProxy.Fault.CUT, S3FaultProxy.Fault.STALL, S3FaultProxy.Fault.SLOW_DOWN).get(n - 1);
            }
            // SplittableRandom mixes its seed: java.util.Random's first values for seeds n and n + 1 are
            // nearly equal, which made the faults come in runs of thousands of requests, not at random.
            var r = new SplittableRandom(planSeed + n);
            return r.nextInt(4) == 0 ? S3FaultProxy.Fault.values()[1 + r.nextInt(3)] : S3FaultProxy.Fault.NONE;
        };
        try (var proxy = new S3FaultProxy(s3.server.port(), plan, Duration.ofSeconds(3));
                var loop = LoopDevice.create(dir, 16 * MIB)) {
            var events = new CopyOnWriteArrayList<ProgressEvent>();
            Options options = S3Fixture.options(proxy.endpoint()).with(PARTS)
                    .with("s3.read-timeout", "500ms")
                    .with("retry.base-delay", "10ms").with("retry.max-delay", "200ms");
            FlashResult result = flashInto(loop, uri, options, events);

            String where = Seeds.describe(seed);
            assertThat(result.sha256()).as(where).isEqualTo(TestImages.sha256(bytes));
            assertThat(loop.read(bytes.length)).as(where).isEqualTo(bytes);
            assertThat(proxy.faults(S3FaultProxy.Fault.CUT)).as(where).isPositive();
            assertThat(proxy.faults(S3FaultProxy.Fault.STALL)).as(where).isPositive();
            assertThat(proxy.faults(S3FaultProxy.Fault.SLOW_DOWN)).as(where).isPositive();
            var retries = events.stream().filter(ProgressEvent.Retrying.class::isInstance)
                    .map(ProgressEvent.Retrying.class::cast).toList();
            assertThat(retries).as(where).hasSizeGreaterThanOrEqualTo(3);
            // A cut or stalled part is resumed from its last byte received, not from its start.
            assertThat(retries).as(where).anyMatch(r -> r.offset() % MIB != 0);
            assertThat(proxy.ranges()).as(where)
                    .anyMatch(range -> Long.parseLong(range.substring(6, range.indexOf('-'))) % MIB != 0);
        }
    }

    @Test
    void anObjectOverwrittenDuringTheFlashStopsWithSourceChanged() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] first = image(random, 8 * 2048);
        byte[] second = image(random, 8 * 2048);
        URI uri = s3.put("overwritten/disk.img", first);
        try (var proxy = new S3FaultProxy(s3.server.port(), (m, n, r, a) -> S3FaultProxy.Fault.NONE, Duration.ZERO,
                        n -> {
                            if (n == 3) {
                                s3.put("overwritten/disk.img", second);
                            }
                        });
                var loop = LoopDevice.create(dir, 16 * MIB)) {
            Options options = S3Fixture.options(proxy.endpoint()).with(PARTS).with("read.concurrency", "2");
            assertThatThrownBy(() -> flashInto(loop, uri, options, new CopyOnWriteArrayList<>()))
                    .as(Seeds.describe(seed))
                    .satisfies(e -> assertThat(causes(e)).anyMatch(SourceChangedException.class::isInstance))
                    .hasStackTraceContaining("flash again");
        }
    }

    @Test
    void refusalsBeforeTheFirstWriteLeaveTheTargetUnchanged() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        URI uri = s3.put("refused/disk.img", image(random, 2048));
        try (var loop = LoopDevice.create(dir, 4 * MIB);
                var slowDown = new S3FaultProxy(s3.server.port(), (m, n, r, a) -> S3FaultProxy.Fault.SLOW_DOWN,
                        Duration.ZERO)) {
            Files.write(loop.device(), TestImages.random(random, 4 * MIB));
            String before = TestImages.sha256(loop.read(4 * MIB));

            assertThatThrownBy(() -> flashInto(loop, S3Fixture.uri("refused/missing.img"), s3.options(), List.of()))
                    .isInstanceOf(ImageNotFoundException.class)
                    .hasMessageContaining("bucket images")
                    .hasMessageContaining("refused/missing.img")
                    .hasMessageContaining("Java system properties aws.accessKeyId/aws.secretAccessKey")
                    .hasMessageContaining("...0001");

            assertThatThrownBy(() -> flashInto(loop, uri, s3.options().with("s3.profile", "wrong-secret"), List.of()))
                    .isInstanceOf(ImageAccessDeniedException.class)
                    .hasMessageContaining("access denied; bucket images key refused/disk.img")
                    .hasMessageContaining("profile wrong-secret from " + System.getProperty("aws.sharedCredentialsFile"))
                    .hasMessageNotContaining("not-the-right-secret");

            assertThatThrownBy(() -> flashInto(loop, uri, s3.options().with("s3.profile", "unknown-key"), List.of()))
                    .isInstanceOf(ImageAccessDeniedException.class)
                    .hasMessageContaining("profile unknown-key")
                    .hasMessageContaining("access key ...WN99")
                    .hasMessageNotContaining(S3TestServer.SECRET_ACCESS_KEY);

            assertThatThrownBy(() -> flashInto(loop, uri, s3.options().with("s3.profile", "no-such-profile"),
                    List.of()))
                    .isInstanceOf(ImageAccessDeniedException.class)
                    .hasMessageContaining("s3.profile=no-such-profile gives no credentials")
                    .hasMessageContaining(System.getProperty("aws.sharedCredentialsFile"));

            Options throttled = S3Fixture.options(slowDown.endpoint())
                    .with("retry.attempts", "3").with("retry.base-delay", "5ms");
            assertThatThrownBy(() -> flashInto(loop, uri, throttled, List.of()))
                    .isInstanceOf(SourceThrottledException.class)
                    .hasMessageContaining("s3://images/refused/disk.img")
                    .hasMessageContaining("503 SlowDown")
                    .hasMessageContaining("after 3 attempts");
            assertThat(slowDown.faults(S3FaultProxy.Fault.SLOW_DOWN)).isEqualTo(3);

            assertThat(TestImages.sha256(loop.read(4 * MIB))).as(Seeds.describe(seed)).isEqualTo(before);
        }
    }

    private static List<Throwable> causes(Throwable e) {
        var all = new java.util.ArrayList<Throwable>();
        for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) {
            all.add(t);
        }
        return all;
    }
}
