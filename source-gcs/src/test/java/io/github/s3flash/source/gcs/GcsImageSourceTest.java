package io.github.s3flash.source.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceThrottledException;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The gs:// source beyond the contract, on <b>Google's in-process fake</b> of GCS ({@link FakeGcs}
 * says what it does and does not cover): parallel ranged reads through the pipeline's reader, an
 * object deleted after open being a source change, resume from arbitrary offsets, the error
 * mapping, and discovery of the provider through the module path with Google's jars on the class
 * path (the route README.md documents for operators). Generations and their preconditions are
 * tested on the stand-in ({@link GcsJsonApiOverNginxTest}, {@link GcsImageSourceContractTest}).
 */
class GcsImageSourceTest {

    private final FakeGcs gcs = new FakeGcs();
    private final ImageSource source = new GcsImageSource(options -> gcs.client());

    private static URI uri(String name) {
        return URI.create("gs://" + FakeGcs.BUCKET + "/" + name);
    }

    private static Options parallel(Random random) {
        return Options.of(Map.of(
                "read.part-size", Integer.toString(1 + random.nextInt(700_000)),
                "read.concurrency", Integer.toString(1 + random.nextInt(4)),
                "retry.base-delay", "1ms", "retry.max-delay", "5ms", "retry.attempts", "30"));
    }

    @Test
    void readsTheWholeObjectInParallelRangesByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int round = 0; round < 4; round++) {
            int size = random.nextInt(5 << 20);
            byte[] bytes = TestImages.diskLike(random, size);
            gcs.put("parallel.img", bytes);
            Options options = parallel(random);
            try (PinnedImage image = source.open(uri("parallel.img"), options);
                    InputStream in = ImageStreams.open(image, PipelineSettings.from(options), ProgressListener.NONE)) {
                ImageInfo info = image.info();
                String where = "size " + size + ", " + options.values() + ", " + Seeds.describe(seed);
                assertThat(info.length()).as(where).isEqualTo(size);
                assertThat(info.rangeReads()).as(where).isTrue();
                assertThat(info.version()).as(where).isEqualTo("generation " + gcs.generation("parallel.img"));
                assertThat(in.readAllBytes()).as(where).isEqualTo(bytes);
            }
        }
    }

    @Test
    void anObjectDeletedAfterPinningIsASourceChange() throws IOException {
        gcs.put("deleted.img", new byte[100_000]);
        try (PinnedImage image = source.open(uri("deleted.img"), Options.empty())) {
            gcs.delete("deleted.img");
            assertThatThrownBy(() -> {
                try (InputStream in = image.openRange(0, -1)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(SourceChangedException.class);
        }
    }

    /**
     * The fake has no network to break, so faults are injected between the pipeline's reader and the
     * source's range streams (connections cut after a random number of bytes): every resumed range
     * is a new ranged read of the pinned generation from the byte where the last one stopped.
     */
    @Test
    void cutRangesAreResumedFromTheLastByteByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] bytes = TestImages.diskLike(random, 4 << 20);
        gcs.put("resumed.img", bytes);
        Options options = parallel(random);
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        var faults = new AtomicInteger(8);
        try (PinnedImage real = source.open(uri("resumed.img"), options);
                PinnedImage flaky = new PinnedImage() {
                    @Override
                    public ImageInfo info() {
                        return real.info();
                    }

                    @Override
                    public InputStream openRange(long offset, long length) throws IOException {
                        int cutAfter;
                        synchronized (random) {
                            cutAfter = random.nextInt(400_000);
                        }
                        return new FilterInputStream(real.openRange(offset, length)) {
                            long served;

                            @Override
                            public int read(byte[] b, int off, int len) throws IOException {
                                if (served >= cutAfter && faults.getAndDecrement() > 0) {
                                    throw new IOException("connection reset (injected by the test)");
                                }
                                int n = super.read(b, off, (int) Math.min(len, Math.max(1, cutAfter - served)));
                                served += Math.max(n, 0);
                                return n;
                            }
                        };
                    }

                    @Override
                    public void close() {}
                };
                InputStream in = ImageStreams.open(flaky, PipelineSettings.from(options), events::add)) {
            assertThat(in.readAllBytes()).as(options.values() + ", " + Seeds.describe(seed)).isEqualTo(bytes);
        }
        assertThat(events).as(Seeds.describe(seed)).anySatisfy(e -> assertThat(e).isInstanceOf(ProgressEvent.Retrying.class));
    }

    @Test
    void malformedUrlsAreRefusedAsNotFound() {
        for (String bad : List.of("gs://bucket-only", "gs://bucket-only/", "gs:///object")) {
            assertThatThrownBy(() -> source.open(URI.create(bad), Options.empty()))
                    .as(bad)
                    .isInstanceOf(ImageNotFoundException.class)
                    .hasMessageContaining("write it as gs://bucket/object");
        }
    }

    @Test
    void credentialsAndQueriesInTheUrlAreRefusedWithoutShowingThem() {
        for (String bad : List.of("gs://user:hunter2@bucket/object", "gs://bucket/object?X-Goog-Signature=hunter2",
                "gs://u:p@ss-hunter2@bucket/object")) {
            assertThatThrownBy(() -> source.open(URI.create(bad), Options.empty()))
                    .as(bad)
                    .isInstanceOf(ImageNotFoundException.class)
                    .hasMessageContaining("has credentials, a query or a fragment")
                    .hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void clientErrorsMapToTheCheckedHierarchy() {
        String where = uri("x.img").toString();
        assertThat(GcsFailures.opening(new StorageException(404, "No such object"), where))
                .isInstanceOf(ImageNotFoundException.class).hasMessageContaining("check the bucket and object name");
        assertThat(GcsFailures.opening(new StorageException(401, "Anonymous caller"), where))
                .isInstanceOf(ImageAccessDeniedException.class)
                .hasMessageContaining("Application Default Credentials")
                .hasMessageContaining("GCE metadata server");
        assertThat(GcsFailures.opening(new StorageException(403, "Forbidden"), where))
                .isInstanceOf(ImageAccessDeniedException.class).hasMessageContaining("storage.objects.get");
        FlashException busy = GcsFailures.reading(new StorageException(503, "Backend Error"), where, 7);
        assertThat(busy).isInstanceOf(SourceUnavailableException.class);
        assertThat(busy.retryable()).isTrue();
        assertThat(GcsFailures.reading(new StorageException(412, "conditionNotMet"), where, 7))
                .isInstanceOf(SourceChangedException.class).hasMessageContaining("generation 7 pinned");
        assertThat(GcsFailures.reading(new StorageException(429, "rateLimitExceeded"), where, 7))
                .isInstanceOf(SourceThrottledException.class);
        assertThat(GcsFailures.reading(new StorageException(404, "No such object"), where, 7))
                .isInstanceOf(SourceChangedException.class);
    }

    @Test
    void isFoundThroughTheModulePathWithGoogleJarsOnTheClassPath() throws FlashException {
        ImageSource found = ProviderRegistry.load().source(URI.create("gs://bucket/object"), Options.empty());
        assertThat(found).isInstanceOf(GcsImageSource.class);
        assertThat(found.getClass().getModule().getName()).isEqualTo("io.github.s3flash.source.gcs");
        assertThat(Storage.class.getModule().isNamed()).as("Google's client is on the class path").isFalse();
        assertThat(ProviderRegistry.load().describe())
                .anySatisfy(p -> assertThat(p.name() + " " + p.detail() + " " + p.module())
                        .isEqualTo("gcs schemes: gs io.github.s3flash.source.gcs"));
    }
}
