package io.github.s3flash.source.s3;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnavailableException;
import java.io.IOException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the SDK's exceptions into the api's checked hierarchy: 404 not found, 401/403 access denied
 * (naming the credentials' source), 412 source changed, 5xx/429/throttling/timeouts/resets
 * unavailable (retryable); anything else a permanent {@link FlashException}. Every message names the
 * object, the endpoint and what to do.
 */
final class S3Failures {

    /** Error codes S3 (and compatible stores) use for "slow down and try again". */
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable",
            "RequestLimitExceeded", "TooManyRequestsException", "IDPCommunicationError", "EC2ThrottledException");

    private final S3Location location;
    private final S3Settings settings;
    private final S3Credentials credentials;

    S3Failures(S3Location location, S3Settings settings, S3Credentials credentials) {
        this.location = location;
        this.settings = settings;
        this.credentials = credentials;
    }

    /**
     * The checked exception for {@code e}, thrown by {@code operation} ("HEAD", "GET bytes=a-b").
     *
     * @param pinned whether the object was pinned already: then a 404 or 412 means it changed
     */
    IOException map(SdkException e, String operation, boolean pinned) {
        if (e instanceof AwsServiceException service) {
            return mapService(service, operation, pinned);
        }
        if (e instanceof SdkClientException && hasIoCause(e)) {
            return new SourceUnavailableException(operation + " " + location + " at " + settings.describeEndpoint()
                    + " failed: " + rootMessage(e) + "; check the network and the endpoint", e);
        }
        return new FlashException(operation + " " + location + " at " + settings.describeEndpoint()
                + " failed: " + rootMessage(e), e);
    }

    private IOException mapService(AwsServiceException e, String operation, boolean pinned) {
        int status = e.statusCode();
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        String what = operation + " " + location + " at " + settings.describeEndpoint() + " answered " + status
                + (code == null || code.isBlank() ? "" : " " + code);
        if (status == 412) {
            return new SourceChangedException(what + ": the object was replaced after the flash pinned it; bytes"
                    + " of two versions are never mixed: flash again to take the new version", e);
        }
        if (status == 416 && pinned) {
            return new SourceChangedException(what + ": the object is shorter than when the flash pinned it, so it"
                    + " was replaced; bytes of two versions are never mixed: flash again to take the new version", e);
        }
        if (status == 404 && pinned) {
            return new SourceChangedException(what + ": the object (or its pinned version) was deleted during the"
                    + " flash; flash again once the image is in place", e);
        }
        if (status == 404) {
            String detail = "NoSuchBucket".equals(code) ? "bucket " + location.bucket() + " does not exist"
                    : "no object with key " + location.key() + " in bucket " + location.bucket();
            return new ImageNotFoundException(what + ": " + detail + " (credentials: " + credentials.description()
                    + "); check the bucket, the key and the endpoint", e);
        }
        if (status == 401 || status == 403) {
            return new ImageAccessDeniedException(what + ": access denied to bucket " + location.bucket() + " key "
                    + location.key() + " for credentials from " + credentials.description()
                    + "; grant s3:GetObject on the object to them, or use other credentials", e);
        }
        if (status >= 500 || status == 429 || (code != null && TRANSIENT_CODES.contains(code))) {
            return new SourceUnavailableException(what + ": the store is unavailable or throttling; retry later", e);
        }
        if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
            return new FlashException(what + ": the bucket is in another region than the client's; set option"
                    + " s3.region (or AWS_REGION) to the bucket's region", e);
        }
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return new FlashException(what + (message == null ? "" : ": " + message), e);
    }

    private static boolean hasIoCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof java.io.UncheckedIOException) {
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
