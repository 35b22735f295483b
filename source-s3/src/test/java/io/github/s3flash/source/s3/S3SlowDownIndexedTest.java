package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.index.Chunk;
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
 * every throttled answer reaches the reader as a throttled retry, which halves the flash's ranged
 * reads at once and doubles their size (the arithmetic is FetchGateTest's): reads before the first
 * throttled answer ask for one chunk's frame (the part size is one chunk), later ones for the frames
 * of several adjacent chunks; and the flash completes byte-exact.
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
        var written = new IndexedImageWriter(ProviderRegistry.load().codec("lz4"),
                new WriterSettings(64 << 10, Options.empty(), 2))
                .write(new ByteArrayInputStream(image), object, null, ChunkProgress.NONE);
        Chunk lastChunk = written.manifest().chunks().getLast();
        long framesEnd = lastChunk.compressedOffset() + lastChunk.compressedLength();
        URI uri = s3.put("slow/disk.img.lz4", object.toByteArray());
        Deque<Long> recent = new ArrayDeque<>();
        // Each GET's first byte and length, and the throttled answers given up to it.
        List<long[]> asked = new CopyOnWriteArrayList<>();
        S3FaultProxy.Plan plan = (method, n, range, authorization) -> {
            if (!method.equals("GET")) {
                return S3FaultProxy.Fault.NONE;
            }
            synchronized (recent) {
                asked.add(new long[] {rangeStart(range), rangeLength(range), slowDownsSoFar(asked)});
                long now = System.nanoTime();
                while (!recent.isEmpty() && now - recent.peekFirst() > 1_000_000_000L) {
                    recent.removeFirst();
                }
                if (recent.size() >= PER_SECOND) {
                    asked.getLast()[2]++;
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
                    .with("read.part-size", Integer.toString(64 << 10))
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
            // Reads of chunk frames (not of the head or the index). A chunk of random bytes is stored as it
            // is: its frame is a little over 64 KiB.
            List<long[]> frameReads = asked.stream().filter(a -> a[1] > 0 && a[0] + a[1] <= framesEnd).toList();
            long frame = (64 << 10) + 64;
            assertThat(frameReads.stream().filter(a -> a[2] == 0).mapToLong(a -> a[1]).max().orElse(0))
                    .as(where + ": before the source throttled, one frame a read").isBetween(1L, frame);
            assertThat(frameReads.stream().filter(a -> a[2] > 0).mapToLong(a -> a[1]).max().orElse(0))
                    .as(where + ": after, the frames of several chunks a read").isGreaterThan(frame);
        }
    }

    /** The throttled answers given before this request (a running count kept in the last entry). */
    private static long slowDownsSoFar(List<long[]> asked) {
        return asked.isEmpty() ? 0 : asked.getLast()[2];
    }

    /** The first byte a {@code bytes=FIRST-LAST} header asks for; 0 without one. */
    private static long rangeStart(String range) {
        return range == null || !range.startsWith("bytes=") ? 0
                : Long.parseLong(range.substring("bytes=".length()).split("-", 2)[0]);
    }

    /** The bytes a {@code bytes=FIRST-LAST} header asks for; 0 without one (the whole object). */
    private static long rangeLength(String range) {
        if (range == null || !range.startsWith("bytes=")) {
            return 0;
        }
        String[] ends = range.substring("bytes=".length()).split("-", 2);
        return ends[1].isEmpty() ? 0 : Long.parseLong(ends[1]) - Long.parseLong(ends[0]) + 1;
    }
}
