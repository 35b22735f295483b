package io.github.s3flash.source.s3;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.RangeInputStream;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnusableException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * An S3 object pinned to the version its HEAD saw. Every ranged GET asks for that version ({@code
 * If-Match} with the ETag, or {@code If-Unmodified-Since}, plus the version id when the bucket is
 * versioned), so S3 refuses a replaced object with 412; and since S3-compatible stores and caching
 * proxies may ignore the precondition, every answer is checked as well: its ETag (which must be
 * there), its version id where it has one, its Last-Modified when that is the pin, and its {@code
 * Content-Range}. Thread-safe: the SDK client is. The image owns its client.
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
            throw new IllegalStateException("image " + location + " is closed: no more ranges can be read from it");
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
        } catch (RuntimeException e) {
            throw failures.map(e, "GET " + range + " of", RequestStage.READING);
        }
        try {
            check(body.response(), offset, end);
        } catch (IOException | RuntimeException e) {
            body.abort();
            throw e;
        }
        return new RangeStream(body, range, end - offset);
    }

    /** A store that ignores the precondition must still not hand us bytes of another version. */
    private void check(GetObjectResponse response, long offset, long end) throws IOException {
        String get = "GET " + location;
        if (etag != null && response.eTag() == null) {
            throw new SourceUnusableException(get + " answered without an ETag, so its bytes cannot be checked"
                    + " against the pinned version " + etag + "; read from the store directly, not through a proxy"
                    + " that drops ETags");
        }
        if (etag != null && !etag.equals(response.eTag())) {
            throw changed(get + " returned ETag " + response.eTag() + " but " + etag + " was pinned");
        }
        if (versionId != null && response.versionId() != null && !versionId.equals(response.versionId())) {
            throw changed(get + " returned version id " + response.versionId() + " but " + versionId + " was pinned");
        }
        if (etag == null && !lastModified.equals(response.lastModified())) {
            throw changed(get + " returned Last-Modified " + response.lastModified() + " but " + lastModified
                    + " was pinned");
        }
        String contentRange = response.contentRange();
        String expected = "bytes " + offset + "-" + (end - 1) + "/" + info.length();
        if (contentRange == null && (offset != 0 || end != info.length())) {
            // A 200 with the whole object: its bytes are not the range asked for.
            throw new SourceUnusableException(get + " answered without Content-Range to a request for " + expected
                    + ": the store ignores Range requests, which every S3 store supports; check the endpoint"
                    + " (s3.endpoint, AWS_ENDPOINT_URL_S3) and any proxy in between");
        }
        if (contentRange != null && !contentRange.trim().equals(expected)) {
            String what = get + " returned Content-Range " + contentRange + " but " + expected + " was asked for";
            if (contentRange.trim().endsWith("/" + info.length())) {
                // The object's length is as pinned: the store sent other bytes than the range asked for.
                throw new SourceUnusableException(what + ": the store does not answer ranges as asked (some answer"
                        + " a one-byte range with the whole object); use another store or endpoint (s3.endpoint), or"
                        + " remove the proxy in between");
            }
            throw changed(what);
        }
    }

    private static SourceChangedException changed(String what) {
        return new SourceChangedException(what + ": the object was replaced during the flash; bytes of two versions"
                + " are never mixed: flash again to take the new version");
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
    private final class RangeStream extends RangeInputStream {
        private final ResponseInputStream<GetObjectResponse> body;
        private final String range;

        RangeStream(ResponseInputStream<GetObjectResponse> body, String range, long length) {
            super(location + " " + range, length);
            this.body = body;
            this.range = range;
        }

        @Override
        protected int readUpstream(byte[] b, int off, int len) throws IOException {
            try {
                return body.read(b, off, len);
            } catch (RuntimeException e) {
                throw failures.map(e, "reading GET " + range + " of", RequestStage.READING);
            }
        }

        @Override
        protected void release(boolean complete) throws IOException {
            if (!complete) {
                body.abort();
            }
            body.close();
        }
    }
}
