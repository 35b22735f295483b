package io.github.s3flash.source.s3;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.SourceRequest;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.api.SourceUnusableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the SDK's exceptions into the api's checked hierarchy through {@link SourceRequest} (404 not
 * found, 401/403 access denied naming the credentials' source, 412 or a vanished object source
 * changed, SlowDown/503/429 throttled, 5xx unavailable), plus what only S3 answers: a bucket in
 * another region. Every message names the object, the endpoint and what to do.
 */
final class S3Failures {

    private final S3Location location;
    private final S3Settings settings;
    private final S3Credentials credentials;

    S3Failures(S3Location location, S3Settings settings, S3Credentials credentials) {
        this.location = location;
        this.settings = settings;
        this.credentials = credentials;
    }

    /**
     * The checked exception for {@code e}, thrown by {@code operation} ("HEAD", "GET bytes=a-b of").
     *
     * @param stage opening the object, or reading it once pinned: then a 404, 412 or 416 means it changed
     */
    FlashException map(RuntimeException e, String operation, RequestStage stage) {
        String request = operation + " " + location + " at " + settings.describeEndpoint();
        if (!(e instanceof SdkException)) {
            // The SDK lets some faults of a malformed answer out unwrapped (an IllegalArgumentException for
            // a status line that is no HTTP): the endpoint or something in between answered nonsense,
            // which a later attempt may not meet.
            return new SourceUnavailableException(request + " failed: the answer is not one of an S3 store ("
                    + rootMessage(e) + "); check the endpoint and any proxy in between", e);
        }
        if (e instanceof AwsServiceException service) {
            int status = service.statusCode();
            var details = service.awsErrorDetails();
            String code = details == null ? null : details.errorCode();
            String message = details == null ? null : details.errorMessage();
            if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
                return new SourceUnusableException(request + " answered " + status + (code == null ? "" : " " + code)
                        + ": the bucket is in another region than the client's; set option s3.region (or AWS_REGION)"
                        + " to the bucket's region", e);
            }
            String missing = "NoSuchBucket".equals(code) ? "bucket " + location.bucket() + " does not exist"
                    : "no object with key " + location.key() + " in bucket " + location.bucket();
            return new SourceRequest(request, stage)
                    .withNotFound(missing + " (credentials: " + credentials.description()
                            + "); check the bucket, the key and the endpoint")
                    .withDenied("bucket " + location.bucket() + " key " + location.key() + " for credentials from "
                            + credentials.description() + "; grant s3:GetObject on the object to them, or use other"
                            + " credentials")
                    .failed(status, code, message, e);
        }
        if (e instanceof SdkClientException && hasIoCause(e)) {
            return new SourceUnavailableException(request + " failed: " + rootMessage(e)
                    + "; check the network and the endpoint", e);
        }
        return new SourceUnusableException(request + " failed: " + rootMessage(e), e);
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.toString();
        return root == e ? message : e.getMessage() + " (" + message + ")";
    }
}
