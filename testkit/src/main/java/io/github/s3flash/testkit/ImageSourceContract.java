package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.SourceChangedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ImageSource} must do: report the length and a version, read any range of the
 * pinned version byte-exact (whole, one-byte and random-split reads), never hand out bytes of
 * another version once the image was replaced, and refuse a missing image with {@link
 * ImageNotFoundException}.
 */
public abstract class ImageSourceContract {

    protected abstract ImageSource source();

    /** Stores {@code bytes} where the source can read them, and returns its URI. */
    protected abstract URI store(String name, byte[] bytes) throws IOException;

    /**
     * Replaces the image stored by {@link #store} as {@code name} (at {@code uri}) with {@code bytes},
     * the way a publisher of images does on this kind of store.
     */
    protected abstract void replace(String name, URI uri, byte[] bytes) throws IOException;

    /** A URI of the source's scheme where nothing is stored. */
    protected abstract URI missing() throws IOException;

    protected Options options() {
        return Options.empty();
    }

    @Test
    void claimsTheSchemeOfItsUris() throws IOException {
        URI uri = store("scheme-check", new byte[] {1, 2, 3});
        assertThat(source().schemes()).contains(uri.getScheme());
    }

    @Test
    void readsWholeImageAndRandomRangesByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int size : TestImages.boundarySizes(random, 2 << 20, 4096, 1 << 20)) {
            byte[] bytes = TestImages.diskLike(random, size);
            URI uri = store("image-" + size, bytes);
            try (PinnedImage image = source().open(uri, options())) {
                ImageInfo info = image.info();
                String where = uri + ", " + Seeds.describe(seed);
                assertThat(info.length()).as(where).isIn((long) size, -1L);
                assertThat(info.version()).as(where).isNotNull();
                try (InputStream in = image.openRange(0, -1)) {
                    assertThat(in.readAllBytes()).as("whole image, " + where).isEqualTo(bytes);
                }
                if (!info.rangeReads() || size == 0) {
                    continue;
                }
                for (int i = 0; i < 5; i++) {
                    int from = random.nextInt(size);
                    int length = random.nextInt(size - from + 1);
                    try (InputStream in = SplitReads.random(image.openRange(from, length), random, 5000)) {
                        assertThat(in.readAllBytes()).as("range [%d,+%d) of %s", from, length, where)
                                .isEqualTo(Arrays.copyOfRange(bytes, from, from + length));
                    }
                }
                int from = random.nextInt(size);
                try (InputStream in = SplitReads.oneByte(image.openRange(from, Math.min(300, size - from)))) {
                    assertThat(in.readAllBytes()).as("one-byte reads, " + where)
                            .isEqualTo(Arrays.copyOfRange(bytes, from, from + Math.min(300, size - from)));
                }
            }
        }
    }

    /**
     * An image replaced after it was pinned, half-way through a read: every later read, of a range
     * or of the whole image through the pipeline's reader, either fails with {@link
     * SourceChangedException} or returns bytes of the pinned version (a store that keeps serving an
     * old version may) — never bytes of the new one. Both versions have the same length, so only
     * the version tells them apart.
     */
    @Test
    void aReplacedImageIsNeverReadMixedWithItsPinnedVersion() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        int size = 150_000 + random.nextInt(150_000);
        byte[] pinned = TestImages.random(random, size);
        byte[] replacement = TestImages.random(random, size);
        URI uri = store("pinned-version", pinned);
        String where = uri + ", " + Seeds.describe(seed);
        try (PinnedImage image = source().open(uri, options())) {
            int half = image.info().rangeReads() ? size / 2 : 0;
            if (half > 0) {
                try (InputStream in = image.openRange(0, half)) {
                    assertThat(in.readAllBytes()).as("first half, " + where).isEqualTo(Arrays.copyOf(pinned, half));
                }
            }
            replace("pinned-version", uri, replacement);
            neverMixed(() -> {
                try (InputStream in = image.openRange(half, image.info().rangeReads() ? size - half : -1)) {
                    return in.readAllBytes();
                }
            }, Arrays.copyOfRange(pinned, half, size), "the rest after the replacement, " + where);
            Options options = options().with(Options.of(Map.of("read.part-size", Integer.toString(1 + size / 3),
                    "retry.base-delay", "1ms", "retry.max-delay", "5ms")));
            neverMixed(() -> {
                try (InputStream in = ImageStreams.open(image, PipelineSettings.from(options), ProgressListener.NONE)) {
                    return in.readAllBytes();
                }
            }, pinned, "the whole image through the reader after the replacement, " + where);
        }
    }

    private interface Read {
        byte[] read() throws IOException;
    }

    private static void neverMixed(Read read, byte[] pinned, String what) {
        byte[][] got = new byte[1][];
        Throwable failure = catchThrowable(() -> got[0] = read.read());
        if (failure == null) {
            assertThat(got[0]).as(what + ": bytes read without a failure must be the pinned version's").isEqualTo(pinned);
        } else {
            assertThat(failure).as(what).isInstanceOf(SourceChangedException.class);
        }
    }

    @Test
    void missingImageIsNotFound() throws IOException {
        URI uri = missing();
        assertThatThrownBy(() -> source().open(uri, options()).close())
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining(uri.getPath().isEmpty() ? uri.toString() : lastSegment(uri));
    }

    private static String lastSegment(URI uri) {
        String path = uri.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
