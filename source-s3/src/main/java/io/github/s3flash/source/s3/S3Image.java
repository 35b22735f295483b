package io.github.s3flash.source.s3;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.SourceChangedException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An S3 object pinned to the version its HEAD saw: every ranged GET carries {@code If-Match} with
 * the ETag (and the version id when the bucket is versioned), so the store refuses a replaced object
 * with 412 (source changed); each response's ETag and total length are checked again in case a store
 * ignores the precondition. Thread-safe: the SDK client is. The image owns its client.
 */
final class S3Image implements PinnedImage {

    private final S3Client client;
    private final S3Location location;
    private final ImageInfo info;
    private final String etag;
    private final String versionId;
    private final Instant lastModified;
    private final S3Failures failures;
    private volatile boolean closed;

    S3Image(S3Client client, S3Location location, ImageInfo info, String etag, String versionId,
            Instant lastModified, S3Failures failures) {
        this.client = client;
        this.location = location;
        this.info = info;
        this.etag = etag;
        this.versionId = versionId;
        this.lastModified = lastModified;
        this.failures = failures;
    }

    @Override
    public ImageInfo info() {
        return info;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        long end = info.rangeEnd(offset, length);
        if (closed) {
            throw new FlashException("image " + location + " is closed: no more ranges can be read from it");
        }
        if (offset == end) {
            // S3 refuses a range of an empty object (416) and there is nothing to read anyway.
            return InputStream.nullInputStream();
        }
        String range = "bytes=" + offset + "-" + (end - 1);
        var request = GetObjectRequest.builder().bucket(location.bucket()).key(location.key()).range(range);
        if (etag != null) {
            request.ifMatch(etag);
        } else {
            request.ifUnmodifiedSince(lastModified);
        }
        if (versionId != null) {
            request.versionId(versionId);
        }
        ResponseInputStream<GetObjectResponse> body;
        try {
            body = client.getObject(request.build());
        } catch (SdkException e) {
            throw failures.map(e, "GET " + range + " of", true);
        }
        try {
            check(body.response(), offset, end);
        } catch (IOException e) {
            body.abort();
            throw e;
        }
        return new RangeStream(body, end - offset);
    }

    /** A store that ignores If-Match must still not hand us bytes of another version. */
    private void check(GetObjectResponse response, long offset, long end) throws IOException {
        if (etag != null && response.eTag() != null && !etag.equals(response.eTag())) {
            throw new SourceChangedException("GET " + location + " returned ETag " + response.eTag() + " but "
                    + etag + " was pinned: the object was replaced during the flash; flash again to take the"
                    + " new version");
        }
        String contentRange = response.contentRange();
        String expected = "bytes " + offset + "-" + (end - 1) + "/" + info.length();
        if (contentRange == null && (offset != 0 || end != info.length())) {
            // A 200 with the whole object: its bytes are not the range asked for.
            throw new FlashException("GET " + location + " answered without Content-Range to a request for "
                    + expected + ": the store ignores Range requests, which every S3 store supports; check the"
                    + " endpoint (s3.endpoint, AWS_ENDPOINT_URL_S3) and any proxy in between");
        }
        if (contentRange != null && !contentRange.trim().equals(expected)) {
            throw new SourceChangedException("GET " + location + " returned Content-Range " + contentRange
                    + " but " + expected + " was asked for: the object changed during the flash; flash again");
        }
    }

    /** Closes the client (its connections); ranges still open fail afterwards. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            client.close();
        }
    }

    /**
     * A ranged body. Closing it before its end aborts the connection rather than draining the rest of
     * a part that nobody will read.
     */
    private static final class RangeStream extends InputStream {
        private final ResponseInputStream<GetObjectResponse> body;
        private long remaining;
        private boolean closed;

        RangeStream(ResponseInputStream<GetObjectResponse> body, long length) {
            this.body = body;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int n = body.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (remaining > 0) {
                body.abort();
            }
            body.close();
        }
    }
}
