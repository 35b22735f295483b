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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared read path (parallel ranges, in-order reassembly, retry and resume) over a real file,
 * with faults injected between the reader and the file: connections that break after a random
 * number of bytes, as a network does.
 */
class ImageStreamsTest {

    @TempDir
    Path dir;

    /** Cuts every range stream after a random number of bytes, {@code faults} times in all. */
    private static class FlakyImage implements PinnedImage {
        private final PinnedImage real;
        private final Random random;
        private final AtomicInteger faults;

        FlakyImage(PinnedImage real, Random random, int faults) {
            this.real = real;
            this.random = random;
            this.faults = new AtomicInteger(faults);
        }

        @Override
        public ImageInfo info() {
            return real.info();
        }

        @Override
        public InputStream openRange(long offset, long length) throws IOException {
            InputStream in = real.openRange(offset, length);
            int cutAfter;
            synchronized (random) {
                cutAfter = random.nextInt(300_000);
            }
            return new FilterInputStream(in) {
                long served;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (served >= cutAfter && faults.getAndDecrement() > 0) {
                        throw new IOException("connection reset (injected)");
                    }
                    int n = super.read(b, off, (int) Math.min(len, Math.max(1, cutAfter - served)));
                    if (n > 0) {
                        served += n;
                    }
                    return n;
                }
            };
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    private static Options fast(int concurrency, int partSize) {
        return Options.of(Map.of("read.concurrency", "" + concurrency, "read.part-size", "" + partSize,
                "retry.base-delay", "1ms", "retry.max-delay", "5ms", "retry.attempts", "50"));
    }

    @Test
    void reassemblesRangesInOrderAndResumesAfterFaults() throws IOException {
        long seed = new Random().nextLong();
        var random = new Random(seed);
        for (int round = 0; round < 12; round++) {
            int size = random.nextInt(3 << 20);
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            Path file = Files.write(dir.resolve("img" + round), bytes);
            int concurrency = 1 + random.nextInt(4);
            int partSize = 1 + random.nextInt(600_000);
            int faults = random.nextInt(6);
            List<ProgressEvent> events = new CopyOnWriteArrayList<>();
            try (PinnedImage real = new FileImageSource().open(file.toUri(), Options.empty());
                    var image = new FlakyImage(real, random, faults);
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
        byte[] bytes = new byte[2_000_000];
        new Random(7).nextBytes(bytes);
        Path file = Files.write(dir.resolve("img"), bytes);
        List<Long> openedAt = new CopyOnWriteArrayList<>();
        try (PinnedImage real = new FileImageSource().open(file.toUri(), Options.empty())) {
            PinnedImage recording = new PinnedImage() {
                int opened;

                @Override
                public ImageInfo info() {
                    return real.info();
                }

                @Override
                public InputStream openRange(long offset, long length) throws IOException {
                    openedAt.add(offset);
                    InputStream in = real.openRange(offset, length);
                    if (opened++ > 0) {
                        return in;
                    }
                    return new FilterInputStream(in) {
                        long served;

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            if (served >= 777_777) {
                                throw new IOException("connection reset (injected)");
                            }
                            int n = super.read(b, off, (int) Math.min(len, 777_777 - served));
                            served += Math.max(n, 0);
                            return n;
                        }
                    };
                }

                @Override
                public void close() {}
            };
            try (InputStream in = ImageStreams.open(recording, PipelineSettings.from(fast(1, 8 << 20)),
                    ProgressListener.NONE)) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
        }
        assertThat(openedAt).containsExactly(0L, 777_777L);
    }

    @Test
    void givesUpAfterTheRetryBudgetNamingImageAndOffset() throws IOException {
        Path file = Files.write(dir.resolve("img"), new byte[100_000]);
        try (PinnedImage real = new FileImageSource().open(file.toUri(), Options.empty());
                var image = new FlakyImage(real, new Random(1), Integer.MAX_VALUE) {
                    @Override
                    public InputStream openRange(long offset, long length) throws IOException {
                        throw new SourceUnavailableException("503 Slow Down (injected)");
                    }
                }) {
            var options = Options.of(Map.of("retry.attempts", "3", "retry.base-delay", "1ms"));
            assertThatThrownBy(() -> {
                        try (InputStream in = ImageStreams.open(image, PipelineSettings.from(options),
                                ProgressListener.NONE)) {
                            in.readAllBytes();
                        }
                    })
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("gave up reading " + file.toUri())
                    .hasMessageContaining("at byte offset 0 after 3 attempts")
                    .hasMessageContaining("503 Slow Down");
        }
    }

    @Test
    void permanentErrorsAreNotRetried() throws IOException {
        Path file = Files.write(dir.resolve("img"), new byte[10]);
        AtomicInteger opens = new AtomicInteger();
        try (PinnedImage real = new FileImageSource().open(file.toUri(), Options.empty());
                var image = new FlakyImage(real, new Random(1), 0) {
                    @Override
                    public InputStream openRange(long offset, long length) throws IOException {
                        opens.incrementAndGet();
                        throw new SourceChangedException("replaced (injected)");
                    }
                }) {
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

    @Test
    void retryDelaysStayWithinTheirCap() {
        var policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(350));
        for (int attempt = 1; attempt < 10; attempt++) {
            long cap = Math.min(350, 100L << (attempt - 1));
            assertThat(policy.delay(attempt).toMillis()).isBetween(0L, cap);
        }
    }
}
