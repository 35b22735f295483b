package io.github.s3flash.testkit;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.PinnedImage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link PinnedImage} that counts what is read through it: bytes delivered and the ranges opened,
 * so a test can prove a reader fetched only what it should (the tail of an indexed image, say).
 * Closing it closes the image it wraps.
 */
public final class CountingImage implements PinnedImage {

    /** A range that was opened: {@code length} is -1 for "to the end". */
    public record Range(long offset, long length) {}

    private final PinnedImage image;
    private final AtomicLong bytes = new AtomicLong();
    private final List<Range> ranges = new CopyOnWriteArrayList<>();

    public CountingImage(PinnedImage image) {
        this.image = requireNonNull(image, "image");
    }

    @Override
    public ImageInfo info() {
        return image.info();
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        ranges.add(new Range(offset, length));
        return new FilterInputStream(image.openRange(offset, length)) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    bytes.incrementAndGet();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytes.addAndGet(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // Skipped bytes were fetched all the same: count them by reading.
                byte[] drop = new byte[8192];
                long done = 0;
                while (done < n) {
                    int r = read(drop, 0, (int) Math.min(drop.length, n - done));
                    if (r < 0) {
                        break;
                    }
                    done += r;
                }
                return done;
            }
        };
    }

    /** Bytes delivered by every range so far. */
    public long bytesRead() {
        return bytes.get();
    }

    /** The ranges opened so far, in order. */
    public List<Range> ranges() {
        return List.copyOf(ranges);
    }

    @Override
    public void close() throws IOException {
        image.close();
    }
}
