package io.github.s3flash.source.s3;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.SourceUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * An S3 object written as a multipart upload: bytes are gathered one part at a time and uploaded on
 * a few threads while the next part fills, each part with its Content-MD5 (S3 refuses a part that
 * arrives damaged) and retried with back-off on transient faults. Nothing is visible under the key
 * until {@link #commit()} completes the upload; then the object's length is checked against what was
 * written. An abort (or a failure) aborts the upload, so its parts are dropped. An object smaller than
 * one part is sent in one PUT at commit.
 *
 * <p>Memory: (concurrency + 1) parts. Parts are {@code s3.upload.part-size} (default 8 MiB) and double
 * every 1000 parts (S3 allows 10 000), so an object of up to about 8 TB fits while an image of a few
 * GiB keeps 8 MiB parts.
 */
final class S3UploadStream extends PublishStream {

    private static final System.Logger LOG = System.getLogger(S3UploadStream.class.getName());
    static final long DEFAULT_PART_SIZE = 8 << 20;
    static final int DEFAULT_CONCURRENCY = 4;
    private static final long MIN_PART_SIZE = 5 << 20;
    private static final long MAX_PART_SIZE = 512 << 20;
    private static final int MAX_PARTS = 10_000;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final S3Client client;
    private final S3Location where;
    private final URI location;
    private final S3Settings settings;
    private final S3Credentials credentials;
    private final S3Failures failures;
    private final RetryPolicy retry;
    private final long basePartSize;
    private final Semaphore inFlight;
    private final ExecutorService uploaders;
    private final List<Future<CompletedPart>> parts = new ArrayList<>();
    private byte[] buffer;
    private int filled;
    private long written;
    private String uploadId;

    private S3UploadStream(S3Client client, S3Location where, URI location, S3Settings settings,
            S3Credentials credentials, RetryPolicy retry, long basePartSize, int concurrency) {
        this.client = client;
        this.where = where;
        this.location = location;
        this.settings = settings;
        this.credentials = credentials;
        this.failures = new S3Failures(where, settings, credentials);
        this.retry = retry;
        this.basePartSize = basePartSize;
        this.inFlight = new Semaphore(concurrency);
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.uploaders = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "s3flash-upload-" + pool + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.buffer = new byte[(int) partSize(1)];
    }

    /**
     * An upload to {@code location} with a client of its own (closed when the upload ends). Options:
     * {@code s3.upload.part-size} (5m to 512m, default 8m) and {@code s3.upload.concurrency} (parts
     * uploaded at once, default 4), besides the source's own {@code s3.*} and {@code retry.*}.
     */
    static S3UploadStream open(S3Client client, URI location, S3Location where, S3Settings settings,
            S3Credentials credentials, Options options) throws FlashException {
        try {
            long partSize = options.getSize("s3.upload.part-size", DEFAULT_PART_SIZE, MIN_PART_SIZE, MAX_PART_SIZE);
            int concurrency = options.getInt("s3.upload.concurrency", DEFAULT_CONCURRENCY, 1, 64);
            return new S3UploadStream(client, where, location, settings, credentials, RetryPolicy.from(options), partSize,
                    concurrency);
        } catch (FlashException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The size of part {@code number} (from 1): the base, doubled every 1000 parts. */
    long partSize(int number) {
        return Math.min(MAX_PART_SIZE, basePartSize << ((number - 1) / 1000));
    }

    @Override
    public URI location() {
        return location;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        while (len > 0) {
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            written += n;
            if (filled == buffer.length) {
                submit();
                buffer = new byte[(int) partSize(parts.size() + 1)];
                filled = 0;
            }
        }
    }

    /** Hands the full buffer to an uploader, waiting while as many parts as allowed are in flight. */
    private void submit() throws IOException {
        checkFailedParts();
        if (uploadId == null) {
            uploadId = call("start a multipart upload to", () -> client.createMultipartUpload(r -> r.bucket(where.bucket())
                    .key(where.key()).contentType("application/octet-stream")).uploadId());
        }
        int number = parts.size() + 1;
        if (number > MAX_PARTS) {
            throw new FlashException("the object is larger than S3's " + MAX_PARTS + " parts allow; raise option"
                    + " s3.upload.part-size");
        }
        byte[] part = buffer;
        int length = filled;
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading " + where);
        }
        try {
            parts.add(uploaders.submit(() -> {
                try {
                    return uploadPart(number, part, length);
                } finally {
                    inFlight.release();
                }
            }));
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
    }

    private CompletedPart uploadPart(int number, byte[] part, int length) throws IOException {
        String md5 = md5(part, length);
        String etag = call("upload part " + number + " of", () -> client.uploadPart(r -> r.bucket(where.bucket())
                        .key(where.key()).uploadId(uploadId).partNumber(number).contentLength((long) length).contentMD5(md5),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(part, 0, length), length,
                        "application/octet-stream")).eTag());
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    /** Fails fast on a part that failed already, rather than after the whole image is read. */
    private void checkFailedParts() throws IOException {
        for (Future<CompletedPart> part : parts) {
            if (part.isDone()) {
                result(part);
            }
        }
    }

    private CompletedPart result(Future<CompletedPart> part) throws IOException {
        try {
            return part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading " + where);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("uploading " + where + " failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    protected String complete() throws IOException {
        try {
            String etag;
            if (uploadId == null) {
                // Smaller than one part: one PUT, visible whole or not at all.
                byte[] body = buffer;
                int length = filled;
                String md5 = md5(body, length);
                etag = call("put", () -> client.putObject(r -> r.bucket(where.bucket()).key(where.key())
                        .contentType("application/octet-stream").contentLength((long) length).contentMD5(md5),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(body, 0, length), length,
                                "application/octet-stream")).eTag());
            } else {
                if (filled > 0) {
                    submit();
                }
                List<CompletedPart> done = new ArrayList<>();
                for (Future<CompletedPart> part : parts) {
                    done.add(result(part));
                }
                etag = call("complete the multipart upload of", () -> client.completeMultipartUpload(r -> r
                        .bucket(where.bucket()).key(where.key()).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(done))).eTag());
                uploadId = null;
            }
            var head = call("check the length of", () -> client.headObject(r -> r.bucket(where.bucket())
                    .key(where.key())));
            long stored = head.contentLength();
            if (stored != written) {
                // Visible already, and wrong: take it away rather than leave a damaged object under the key.
                call("delete the damaged", () -> client.deleteObject(r -> r.bucket(where.bucket()).key(where.key())));
                throw new FlashException(where + " at " + settings.describeEndpoint() + " held " + stored
                        + " bytes after the upload, but " + written + " were written: the store lost or added bytes,"
                        + " and the object was deleted; upload it again");
            }
            // As the source pins it when the object is opened (some stores give HEAD another ETag than the upload).
            String version = head.eTag() != null ? head.eTag() : etag;
            String versionId = head.versionId();
            return versionId == null || versionId.isBlank() || "null".equals(versionId) ? version
                    : version + " version " + versionId;
        } finally {
            uploaders.shutdownNow();
            if (uploadId == null) {
                client.close();
            }
        }
    }

    @Override
    protected void discard() {
        // Parts not started are cancelled; a part being sent is let finish rather than interrupted: a
        // request cut mid-body left S3Proxy's store half-written, after which it answered 500 to the
        // abort and to every listing of uploads (S3PublishTest under load).
        for (Future<CompletedPart> part : parts) {
            part.cancel(false);
        }
        uploaders.shutdown();
        awaitUploaders();
        try {
            if (uploadId != null) {
                client.abortMultipartUpload(r -> r.bucket(where.bucket()).key(where.key()).uploadId(uploadId));
            }
        } catch (SdkException e) {
            // Its parts stay invisible; a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes them.
            LOG.log(System.Logger.Level.WARNING, "could not abort the upload " + uploadId + " of " + where + ": "
                    + e.getMessage());
        } finally {
            client.close();
        }
    }

    /**
     * Waits for the part uploads still running to end: a part still being sent when the upload is
     * aborted may land after the abort and leave the upload half there (S3 says an abort may have to
     * be repeated for that reason). Past 30 s they are interrupted and the upload aborted regardless.
     */
    private void awaitUploaders() {
        try {
            if (!uploaders.awaitTermination(30, TimeUnit.SECONDS)) {
                uploaders.shutdownNow();
                LOG.log(System.Logger.Level.WARNING, "part uploads of " + where + " still running after 30 s;"
                        + " aborting the upload regardless");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One S3 call, retried with the api's back-off while it fails transiently. */
    private <T> T call(String operation, java.util.function.Supplier<T> request) throws IOException {
        return retry.call(operation + " " + where, () -> {
            try {
                return request.get();
            } catch (RuntimeException e) {
                throw failure(e, operation);
            }
        }, RetryPolicy.Listener.NONE);
    }

    private IOException failure(RuntimeException e, String operation) {
        if (e instanceof AwsServiceException service && (service.statusCode() == 401 || service.statusCode() == 403)) {
            return new ImageAccessDeniedException("cannot " + operation + " " + where + " at "
                    + settings.describeEndpoint() + ": access denied (" + service.statusCode() + ") for credentials from "
                    + credentials.description() + "; grant s3:PutObject and s3:AbortMultipartUpload on the bucket"
                    + " to them, or use other credentials", e);
        }
        return failures.map(e, "cannot " + operation, RequestStage.OPENING);
    }

    private static String md5(byte[] bytes, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(bytes, 0, length);
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }

    @Override
    public String toString() {
        return "upload to " + where;
    }
}
