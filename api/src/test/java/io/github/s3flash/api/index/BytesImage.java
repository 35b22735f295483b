package io.github.s3flash.api.index;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.PinnedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An object held in memory, read like any source's: ranged reads of a pinned version. The index
 * reader's tests use it to run thousands of seeded objects without disks or servers; the same reader
 * against real sources (file, S3, HTTP, GCS) is tested in those sources' modules and the CLI's.
 */
final class BytesImage implements PinnedImage {

    private final byte[] tail;
    private final ImageInfo info;
    private final AtomicLong read = new AtomicLong();

    BytesImage(byte[] bytes) {
        this(bytes.length, bytes);
    }

    /** An object of {@code length} bytes: zeros, then {@code tail} (a terabyte object without the memory). */
    BytesImage(long length, byte[] tail) {
        this.tail = tail;
        this.info = new ImageInfo(URI.create("mem:/object"), length, "v1", true, 1);
    }

    @Override
    public ImageInfo info() {
        return info;
    }

    @Override
    public InputStream openRange(long offset, long length) {
        long end = info.rangeEnd(offset, length);
        read.addAndGet(end - offset);
        byte[] bytes = new byte[(int) (end - offset)];
        long tailStart = info.length() - tail.length;
        long from = Math.max(offset, tailStart);
        if (from < end) {
            System.arraycopy(tail, (int) (from - tailStart), bytes, (int) (from - offset), (int) (end - from));
        }
        return new ByteArrayInputStream(bytes);
    }

    long bytesRead() {
        return read.get();
    }

    @Override
    public void close() {}
}
