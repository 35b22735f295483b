package io.github.s3flash.source.gcs;

import com.google.cloud.BaseServiceException;
import com.google.cloud.ReadChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.RangeInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A GCS object pinned to one generation. Each range is a {@link ReadChannel} with a
 * generation-match precondition, so a replaced object answers 412 and no byte of it is read; the
 * default client also checks each answer's generation ({@link GenerationCheck}), for servers that
 * ignore the precondition.
 */
final class GcsImage implements PinnedImage {

    private final Storage storage;
    private final BlobId id;
    private final long generation;
    private final ImageInfo info;
    private final String shown;

    GcsImage(Storage storage, BlobId id, long generation, ImageInfo info) {
        this.storage = storage;
        this.id = id;
        this.generation = generation;
        this.info = info;
        this.shown = ImageLocations.redact(info.location());
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
            return new RangeStream(reader, offset, end);
        } catch (BaseServiceException e) {
            throw GcsFailures.reading(e, shown, generation);
        }
    }

    @Override
    public void close() {
        GcsClients.closeQuietly(storage);
    }

    /** A range; the client's unchecked exceptions become checked ones that the reader can retry. */
    private final class RangeStream extends RangeInputStream {
        private final ReadChannel reader;

        RangeStream(ReadChannel reader, long offset, long end) {
            super(shown + " bytes " + offset + "-" + (end - 1), end - offset);
            this.reader = reader;
        }

        @Override
        protected int readUpstream(byte[] b, int off, int len) throws IOException {
            try {
                return reader.read(ByteBuffer.wrap(b, off, len));
            } catch (BaseServiceException e) {
                throw GcsFailures.reading(e, shown, generation);
            } catch (IOException e) {
                if (e.getCause() instanceof BaseServiceException service) {
                    throw GcsFailures.reading(service, shown, generation);
                }
                throw e;
            }
        }

        @Override
        protected void release(boolean complete) {
            reader.close();
        }
    }
}
