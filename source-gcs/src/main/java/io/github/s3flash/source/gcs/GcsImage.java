package io.github.s3flash.source.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.PinnedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A GCS object pinned to one generation. Each range is a {@link ReadChannel} with a
 * generation-match precondition, so a replaced object answers 412 and no byte of it is read.
 */
final class GcsImage implements PinnedImage {

    private final Storage storage;
    private final BlobId id;
    private final long generation;
    private final ImageInfo info;

    GcsImage(Storage storage, BlobId id, long generation, ImageInfo info) {
        this.storage = storage;
        this.id = id;
        this.generation = generation;
        this.info = info;
    }

    @Override
    public ImageInfo info() {
        return info;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        long end = info.rangeEnd(offset, length);
        if (end == offset) {
            return InputStream.nullInputStream();
        }
        try {
            ReadChannel reader = storage.reader(id, Storage.BlobSourceOption.generationMatch(generation));
            reader.seek(offset);
            reader.limit(end);
            return new RangeStream(reader, end - offset);
        } catch (BaseServiceException e) {
            throw GcsFailures.reading(e, info.location(), generation);
        }
    }

    @Override
    public void close() {
        GcsClients.closeQuietly(storage);
    }

    /** A range; the client's unchecked exceptions become checked ones that the reader can retry. */
    private final class RangeStream extends InputStream {
        private final ReadChannel reader;
        private long remaining;

        RangeStream(ReadChannel reader, long length) {
            this.reader = reader;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int n;
            try {
                n = reader.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)));
            } catch (BaseServiceException e) {
                throw GcsFailures.reading(e, info.location(), generation);
            } catch (IOException e) {
                if (e.getCause() instanceof BaseServiceException service) {
                    throw GcsFailures.reading(service, info.location(), generation);
                }
                throw e;
            }
            if (n < 0) {
                throw new IOException("reading " + info.location() + " ended " + remaining + " bytes early");
            }
            remaining -= n;
            return n;
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}
