package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.internal.FileImageSource;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import io.github.s3flash.api.internal.ResumingRangeStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared read path (parallel ranges, in-order reassembly, retry and resume) over a real file,
 * with faults injected between the reader and the file: connections that break after a random
 * number of bytes, as a network does.
 */
// A regression here tends to hang a reader (a stream that waits for a fetcher that is gone): fail it instead.
@Timeout(60)
class ImageStreamsTest {

    @TempDir
    Path dir;

    private static Options fast(int concurrency, int partSize) {
        return Options.of(Map.of("read.concurrency", "" + concurrency, "read.part-size", "" + partSize,
                "retry.base-delay", "1ms", "retry.max-delay", "5ms", "retry.attempts", "50"));
    }

    /**
     * {@code real}, which once {@code limit} bytes were served fails with what {@code failure} gives
     * (asked at every read from then on), or goes on as it is when that is null.
     */
    private static InputStream cutAfter(InputStream real, long limit, Supplier<IOException> failure) {
        return new FilterInputStream(real) {
            long served;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served >= limit) {
                    IOException cut = failure.get();
                    if (cut != null) {
                        throw cut;
                    }
                    return super.read(b, off, len);
                }
                int n = super.read(b, off, (int) Math.min(len, limit - served));
                served += Math.max(n, 0);
                return n;
            }
        };
    }

    private static IOException reset() {
        return new IOException("connection reset (injected)");
    }

    @Test
    void reassemblesRangesInOrderAndResumesAfterFaults() throws IOException {
        long seed = new Random().nextLong();
        var random = new Random(seed);
        for (int round = 0; round < 12; round++) {
            int size = random.nextInt(3 << 20);
            byte[] bytes = random(size, random.nextLong());
            int concurrency = 1 + random.nextInt(4);
            int partSize = 1 + random.nextInt(600_000);
            int faults = random.nextInt(6);
            var faultsLeft = new AtomicInteger(faults);
            List<ProgressEvent> events = new CopyOnWriteArrayList<>();
            try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                        int limit;
                        synchronized (random) {
                            limit = random.nextInt(300_000);
                        }
                        return cutAfter(real, limit, () -> faultsLeft.getAndDecrement() > 0 ? reset() : null);
                    });
                    InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(concurrency, partSize)),
                            events::add)) {
                assertThat(in.readAllBytes())
                        .as("size %d, concurrency %d, part %d, seed %d", size, concurrency, partSize, seed)
                        .isEqualTo(bytes);
            }
            long retries = events.stream().filter(e -> e instanceof ProgressEvent.Retrying).count();
            assertThat(retries).as("retries, seed %d", seed).isLessThanOrEqualTo(faults);
        }
    }

    @Test
    void resumesFromTheLastByteReceivedNotFromTheStartOfTheRange() throws IOException {
        byte[] bytes = random(2_000_000, 7);
        List<Long> openedAt = new CopyOnWriteArrayList<>();
        try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                    openedAt.add(offset);
                    return openedAt.size() == 1 ? cutAfter(real, 777_777, ImageStreamsTest::reset) : real;
                });
                InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(1, 8 << 20)), ProgressListener.NONE)) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(openedAt).as("the range, its resumption, and the version check of the last byte")
                .containsExactly(0L, 777_777L, 1_999_999L);
    }

    @Test
    void givesUpAfterTheRetryBudgetNamingImageAndOffset() throws IOException {
        try (PinnedImage image = wrapped(new byte[100_000], (offset, real) -> {
                    throw new SourceUnavailableException("503 Slow Down (injected)");
                })) {
            var options = Options.of(Map.of("retry.attempts", "3", "retry.base-delay", "1ms"));
            assertThatThrownBy(() -> {
                        try (InputStream in = ImageStreams.open(image, PipelineSettings.from(options),
                                ProgressListener.NONE)) {
                            in.readAllBytes();
                        }
                    })
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("gave up reading " + image.info().location())
                    .hasMessageContaining("at byte offset 0 after 3 attempts")
                    .hasMessageContaining("503 Slow Down");
        }
    }

    @Test
    void permanentErrorsAreNotRetried() throws IOException {
        AtomicInteger opens = new AtomicInteger();
        try (PinnedImage image = wrapped(new byte[10], (offset, real) -> {
                    opens.incrementAndGet();
                    throw new SourceChangedException("replaced (injected)");
                })) {
            assertThatThrownBy(() -> {
                        try (InputStream in = ImageStreams.open(image, PipelineSettings.from(Options.empty()),
                                ProgressListener.NONE)) {
                            in.readAllBytes();
                        }
                    })
                    .isInstanceOf(SourceChangedException.class);
        }
        assertThat(opens).hasValue(1);
    }

    /** An image of {@code bytes} whose every range stream is made by {@code streams} from the real one. */
    private PinnedImage wrapped(byte[] bytes, RangeWrapper streams) throws IOException {
        Path file = Files.write(dir.resolve("wrapped-" + System.nanoTime()), bytes);
        PinnedImage real = new FileImageSource().open(file.toUri(), Options.empty());
        return new PinnedImage() {
            @Override
            public ImageInfo info() {
                return real.info();
            }

            @Override
            public InputStream openRange(long offset, long length) throws IOException {
                return streams.wrap(offset, real.openRange(offset, length));
            }

            @Override
            public void close() throws IOException {
                real.close();
            }
        };
    }

    @FunctionalInterface
    private interface RangeWrapper {
        InputStream wrap(long offset, InputStream real) throws IOException;
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static Options fast(int concurrency, int partSize, int attempts) {
        return fast(concurrency, partSize).with("retry.attempts", Integer.toString(attempts));
    }

    @Test
    void aFailedPartFailsEveryLaterReadInsteadOfSkippingToTheNextPart() throws IOException {
        byte[] bytes = random(4000, 1);
        try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                    if (offset == 1000) {
                        throw new SourceChangedException("replaced (injected) at " + offset);
                    }
                    return real;
                });
                InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(3, 1000)), ProgressListener.NONE)) {
            assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOf(bytes, 1000));
            IOException first = org.junit.jupiter.api.Assertions.assertThrows(SourceChangedException.class,
                    () -> in.read(new byte[100]));
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> in.read(new byte[100])).isSameAs(first);
                assertThatThrownBy(in::read).isSameAs(first);
            }
        }
    }

    @Test
    void aFailedStreamFailsEveryLaterReadInsteadOfEnding() throws IOException {
        byte[] bytes = random(50_000, 2);
        try (PinnedImage image = wrapped(bytes, (offset, real) ->
                        cutAfter(real, 20_000, () -> new SourceChangedException("replaced (injected)")));
                InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(1, 8 << 20)), ProgressListener.NONE)) {
            IOException first = org.junit.jupiter.api.Assertions.assertThrows(SourceChangedException.class,
                    in::readAllBytes);
            assertThatThrownBy(() -> in.read(new byte[10])).isSameAs(first);
            assertThatThrownBy(in::readAllBytes).isSameAs(first);
        }
    }

    /** An OutOfMemoryError allocating or reading must not leave the reader waiting for a fetcher that died. */
    @Test
    void aFetcherDyingOfAnErrorReachesTheReaderInsteadOfBlockingIt() throws IOException {
        byte[] bytes = random(30_000, 3);
        for (int concurrency : new int[] {1, 3}) {
            try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                        throw new OutOfMemoryError("injected: no memory for a part");
                    });
                    InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(concurrency, 10_000)),
                            ProgressListener.NONE)) {
                Throwable thrown = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                        () -> org.assertj.core.api.Assertions.catchThrowable(in::readAllBytes), "concurrency " + concurrency);
                assertThat(thrown).as("concurrency %d", concurrency).isInstanceOf(OutOfMemoryError.class)
                        .hasMessageContaining("injected");
                assertThatThrownBy(() -> in.read(new byte[1])).isSameAs(thrown);
            }
        }
    }

    /**
     * A source that sends one byte and then fails, again and again: progress of a byte must not
     * restore the retry budget, or the read goes on for as many attempts as the image has bytes.
     */
    @Test
    void aSourceThatTricklesABytePerAttemptRunsOutOfAttempts() throws IOException {
        byte[] bytes = random(3000, 4);
        for (int concurrency : new int[] {1, 2}) {
            var opened = new AtomicInteger();
            try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                        opened.incrementAndGet();
                        return cutAfter(real, 1, () -> new IOException("connection reset after one byte (injected)"));
                    });
                    InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(concurrency, 1500, 6)),
                            ProgressListener.NONE)) {
                assertThatThrownBy(in::readAllBytes)
                        .as("concurrency %d", concurrency)
                        .isInstanceOf(SourceUnavailableException.class)
                        .hasMessageContaining("after 6 attempts")
                        .hasMessageContaining("connection reset after one byte");
            }
            assertThat(opened.get()).as("ranges opened, concurrency %d", concurrency).isLessThanOrEqualTo(2 * 6);
        }
    }

    @Test
    void aStreamThatReturnsNoBytesIsBackedOffAndGivenUp() throws IOException {
        byte[] bytes = random(1000, 5);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (PinnedImage image = wrapped(bytes, (offset, real) -> new FilterInputStream(real) {
                    @Override
                    public int read(byte[] b, int off, int len) {
                        return 0;
                    }
                });
                InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(1, 8 << 20, 4)), events::add)) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    assertThatThrownBy(in::readAllBytes)
                            .isInstanceOf(SourceUnavailableException.class)
                            .hasMessageContaining("returned no bytes")
                            .hasMessageContaining("after 4 attempts"));
        }
        assertThat(events).filteredOn(e -> e instanceof ProgressEvent.Retrying).hasSize(3)
                .allSatisfy(e -> assertThat(((ProgressEvent.Retrying) e).cause()).contains("returned no bytes"));
    }

    /** With attempts to spare, a range that keeps failing still ends once it has failed for retry.give-up-after. */
    @Test
    void aRangeThatKeepsFailingGivesUpAfterItsTimeBudget() throws IOException {
        byte[] bytes = random(1000, 6);
        var now = new AtomicLong();
        RetryBudget.Clock clock = new RetryBudget.Clock() {
            @Override
            public long nanoTime() {
                return now.get();
            }

            @Override
            public void sleep(Duration duration) {
                now.addAndGet(duration.toNanos());
            }
        };
        var policy = new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofMinutes(5));
        try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                    now.addAndGet(Duration.ofSeconds(31).toNanos());
                    throw new SourceUnavailableException("503 (injected)");
                });
                InputStream in = new ResumingRangeStream(image, 0, 1000, new RetryBudget(policy, clock), 1000,
                        ProgressListener.NONE)) {
            assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("without completing (option retry.give-up-after=300s)");
        }
        assertThat(Duration.ofNanos(now.get())).isBetween(Duration.ofMinutes(5), Duration.ofMinutes(11));
    }

    @Test
    void readFullyReadsOneExactRangeIntoArraysAndBuffersResumingAfterFaults() throws IOException {
        long seed = new Random().nextLong();
        var random = new Random(seed);
        byte[] bytes = random(1 << 20, seed);
        List<Long> openedAt = new CopyOnWriteArrayList<>();
        List<Long> asked = new CopyOnWriteArrayList<>();
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                    openedAt.add(offset);
                    if (openedAt.size() % 2 == 0) {
                        return real;
                    }
                    return cutAfter(real, 1 + random.nextInt(100_000), ImageStreamsTest::reset);
                })) {
            RetryPolicy retry = PipelineSettings.from(fast(1, 1 << 20, 50)).retry();
            for (int round = 0; round < 8; round++) {
                int offset = random.nextInt(bytes.length);
                int length = random.nextInt(bytes.length - offset + 1);
                String where = "range [" + offset + ",+" + length + "), seed " + seed;
                asked.add((long) offset);
                byte[] array = new byte[length + 20];
                ImageStreams.readFully(image, offset, array, 10, length, retry, events::add);
                assertThat(Arrays.copyOfRange(array, 10, 10 + length)).as(where)
                        .isEqualTo(Arrays.copyOfRange(bytes, offset, offset + length));
                assertThat(Arrays.copyOf(array, 10)).as("untouched before, " + where).containsOnly(0);
                ByteBuffer direct = ByteBuffer.allocateDirect(length + 7).position(7);
                ImageStreams.readFully(image, offset, direct, retry, events::add);
                assertThat(direct.hasRemaining()).isFalse();
                byte[] copied = new byte[length];
                direct.position(7).get(copied);
                assertThat(copied).as("direct buffer, " + where).isEqualTo(Arrays.copyOfRange(bytes, offset, offset + length));
            }
        }
        assertThat(events).as("seed %d", seed).anySatisfy(e -> assertThat(e).isInstanceOf(ProgressEvent.Retrying.class));
        assertThat(openedAt).as("resumed inside ranges, seed %d", seed).anySatisfy(at -> assertThat(asked).doesNotContain(at));
    }

    @Test
    void readFullyRefusesARangeOutsideTheImageAndDoesNotRetryASourceChange() throws IOException {
        byte[] bytes = random(100, 7);
        var opens = new AtomicInteger();
        try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                    opens.incrementAndGet();
                    throw new SourceChangedException("replaced (injected)");
                })) {
            assertThatThrownBy(() -> ImageStreams.readFully(image, 90, new byte[20], 0, 20, RetryPolicy.DEFAULT,
                    ProgressListener.NONE)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ImageStreams.readFully(image, 0, ByteBuffer.allocate(10).asReadOnlyBuffer(),
                    RetryPolicy.DEFAULT, ProgressListener.NONE)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ImageStreams.readFully(image, 10, new byte[20], 0, 20, RetryPolicy.DEFAULT,
                    ProgressListener.NONE)).isInstanceOf(SourceChangedException.class);
        }
        assertThat(opens).hasValue(1);
    }

    @Test
    void readFullyStopsWhenItsThreadIsInterrupted() throws IOException {
        byte[] bytes = random(1000, 8);
        try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                    throw new SourceUnavailableException("503 (injected)");
                })) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> ImageStreams.readFully(image, 0, new byte[10], 0, 10,
                        new RetryPolicy(RetryPolicy.UNLIMITED, Duration.ofSeconds(5), Duration.ofSeconds(5),
                                Duration.ofDays(1)), ProgressListener.NONE))
                        .isInstanceOf(java.io.InterruptedIOException.class);
            } finally {
                Thread.interrupted();
            }
        }
    }

    /**
     * A store that overwrites an object in place may answer every request made during the overwrite
     * with the old version's headers: the version is checked once more after the last byte arrived,
     * before the end of the image is reported.
     */
    @Test
    void theVersionIsCheckedAgainAfterTheLastByteBeforeTheEndIsReported() throws IOException {
        byte[] bytes = random(40_000, 9);
        for (int concurrency : new int[] {1, 3}) {
            var replaced = new java.util.concurrent.atomic.AtomicBoolean();
            try (PinnedImage image = wrapped(bytes, (offset, real) -> {
                        if (replaced.get()) {
                            throw new SourceChangedException("the object was replaced (injected)");
                        }
                        return real;
                    });
                    InputStream in = ImageStreams.open(image, PipelineSettings.from(fast(concurrency, 10_000)),
                            ProgressListener.NONE)) {
                assertThat(in.readNBytes(bytes.length - 1)).isEqualTo(Arrays.copyOf(bytes, bytes.length - 1));
                replaced.set(true);
                assertThatThrownBy(in::read).as("concurrency %d", concurrency).isInstanceOf(SourceChangedException.class);
                assertThatThrownBy(in::read).isInstanceOf(SourceChangedException.class);
            }
        }
    }
}
