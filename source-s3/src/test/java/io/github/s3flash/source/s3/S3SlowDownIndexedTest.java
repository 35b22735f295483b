package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.IndexedImageWriter;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.S3FaultProxy;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An indexed flash from S3 (S3Proxy on 127.0.0.1) through the fault proxy answering {@code 503
 * SlowDown} to every GET above 20 a second, as S3 answers a key read by too many servers at once:
 * every throttled answer reaches the reader as a throttled retry (which halves the flash's ranged
 * reads at once; the halving itself is FetchGateTest's), and the flash completes byte-exact.
 */
class S3SlowDownIndexedTest {

    private static final int PER_SECOND = 20;

    @TempDir
    static Path dir;

    static S3Fixture s3;

    @BeforeAll
    static void start() throws IOException {
        s3 = S3Fixture.start(dir.resolve("s3"));
    }

    @AfterAll
    static void stop() throws IOException {
        s3.close();
    }

    @Test
    void slowDownAboveARequestRateIsBackedOffFromAndTheFlashIsByteExact() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.random(new Random(seed), (6 << 20) + 4096 * new Random(seed).nextInt(64));
        var object = new ByteArrayOutputStream();
        new IndexedImageWriter(ProviderRegistry.load().codec("lz4"), new WriterSettings(64 << 10, Options.empty(), 2))
                .write(new ByteArrayInputStream(image), object, null, ChunkProgress.NONE);
        URI uri = s3.put("slow/disk.img.lz4", object.toByteArray());
        Deque<Long> recent = new ArrayDeque<>();
        S3FaultProxy.Plan plan = (method, n, range, authorization) -> {
            if (!method.equals("GET")) {
                return S3FaultProxy.Fault.NONE;
            }
            synchronized (recent) {
                long now = System.nanoTime();
                while (!recent.isEmpty() && now - recent.peekFirst() > 1_000_000_000L) {
                    recent.removeFirst();
                }
                if (recent.size() >= PER_SECOND) {
                    return S3FaultProxy.Fault.SLOW_DOWN;
                }
                recent.addLast(now);
                return S3FaultProxy.Fault.NONE;
            }
        };
        try (var proxy = new S3FaultProxy(s3.server.port(), plan, Duration.ofSeconds(3));
                var loop = LoopDevice.create(dir, 8 << 20)) {
            List<ProgressEvent.Retrying> retries = new CopyOnWriteArrayList<>();
            Options options = S3Fixture.options(proxy.endpoint()).with("read.concurrency", "8")
                    .with("retry.attempts", "1000").with("retry.base-delay", "20ms").with("retry.max-delay", "400ms")
                    .with("retry.give-up-after", "2m");
            FlashResult result = Flasher.withInstalledProviders().flash(FlashPlan.of(uri, loop.device())
                    .withOptions(options), event -> {
                        if (event instanceof ProgressEvent.Retrying r) {
                            retries.add(r);
                        }
                    });
            String where = Seeds.describe(seed);
            assertThat(loop.read(image.length)).as(where).isEqualTo(image);
            assertThat(result.chunks().written()).as(where).isEqualTo((image.length + (64 << 10) - 1) / (64 << 10));
            int slowDowns = proxy.faults(S3FaultProxy.Fault.SLOW_DOWN);
            assertThat(slowDowns).as(where).isPositive();
            assertThat(retries).as(where).hasSize(slowDowns).allMatch(ProgressEvent.Retrying::throttled);
        }
    }
}
