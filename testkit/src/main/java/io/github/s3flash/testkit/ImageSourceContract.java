package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ImageSource} must do: report the length and a version, read any range of the
 * pinned version byte-exact (whole, one-byte and random-split reads), and refuse a missing image
 * with {@link ImageNotFoundException}.
 */
public abstract class ImageSourceContract {

    protected abstract ImageSource source();

    /** Stores {@code bytes} where the source can read them, and returns its URI. */
    protected abstract URI store(String name, byte[] bytes) throws IOException;

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
