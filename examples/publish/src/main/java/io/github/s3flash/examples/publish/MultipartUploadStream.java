package io.github.s3flash.examples.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An output stream that is an S3 multipart upload: bytes are buffered one part at a time (memory is
 * one part, whatever the object's size) and uploaded as they fill; {@link #close()} completes the
 * upload; a failure aborts it, so no half object is ever visible under the key.
 */
final class MultipartUploadStream extends OutputStream {

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String uploadId;
    private final byte[] part;
    private final List<CompletedPart> parts = new ArrayList<>();
    private int filled;
    private long uploaded;
    private boolean closed;
    private String etag;

    MultipartUploadStream(S3Client s3, String bucket, String key, int partSize) throws IOException {
        if (partSize < 5 << 20) {
            throw new IllegalArgumentException("S3 parts must be at least 5 MiB: " + partSize);
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.part = new byte[partSize];
        try {
            this.uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
        } catch (SdkException e) {
            throw new IOException("cannot start an upload to s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
            int n = Math.min(len, part.length - filled);
            System.arraycopy(b, off, part, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == part.length) {
                uploadPart();
            }
        }
    }

    private void uploadPart() throws IOException {
        int number = parts.size() + 1;
        try {
            String tag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                    .contentLength((long) filled), RequestBody.fromBytes(java.util.Arrays.copyOf(part, filled))).eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(tag).build());
            uploaded += filled;
            filled = 0;
        } catch (SdkException e) {
            abort();
            throw new IOException("uploading part " + number + " of s3://" + bucket + "/" + key + " failed: "
                    + e.getMessage() + "; the upload was aborted", e);
        }
    }

    /** Bytes uploaded so far (the compressed size once closed). */
    long uploaded() {
        return uploaded;
    }

    int parts() {
        return parts.size();
    }

    String etag() {
        return etag;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (filled > 0 || parts.isEmpty()) {
            uploadPart();
        }
        try {
            etag = s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))).eTag();
        } catch (SdkException e) {
            abort();
            throw new IOException("completing the upload of s3://" + bucket + "/" + key + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** Drops the upload's parts; used when the image cannot be published whole. */
    void abort() {
        closed = true;
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException ignored) {
            // The upload already failed; an unfinished upload is cleaned by the bucket's lifecycle rules.
        }
    }
}
