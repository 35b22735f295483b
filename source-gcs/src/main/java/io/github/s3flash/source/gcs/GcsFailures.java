package io.github.s3flash.source.gcs;

import com.google.cloud.BaseServiceException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnavailableException;
import java.net.URI;

/** Turns the client's exceptions into the checked hierarchy, with messages that say what to do. */
final class GcsFailures {

    private static final String CREDENTIALS = "credentials in use: option gcs.credentials if given, else"
            + " Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default"
            + " login, or the GCE metadata server's service account)";

    private GcsFailures() {}

    /** A failure while pinning the object at open. */
    static FlashException opening(BaseServiceException e, URI location) {
        return switch (e.getCode()) {
            case 404 -> new ImageNotFoundException("no object " + location + " (" + e.getMessage()
                    + "); check the bucket and object name", e);
            default -> common(e, location, "opening");
        };
    }

    /** A failure while reading a range of the pinned {@code generation}. */
    static FlashException reading(BaseServiceException e, URI location, long generation) {
        return switch (e.getCode()) {
            // The precondition failed, or the pinned generation is gone (deleted, or replaced in a
            // bucket without versioning): either way its bytes can no longer be read.
            case 404, 412 -> new SourceChangedException(location + " was replaced or deleted during the flash"
                    + " (generation " + generation + " pinned; " + e.getMessage() + "); bytes of two versions are"
                    + " never mixed: flash again to take the new version", e);
            default -> common(e, location, "reading");
        };
    }

    private static FlashException common(BaseServiceException e, URI location, String doing) {
        int code = e.getCode();
        if (code == 401 || code == 403) {
            return new ImageAccessDeniedException(doing + " " + location + " was refused (HTTP " + code + ": "
                    + e.getMessage() + "); " + CREDENTIALS + "; they need storage.objects.get on the object", e);
        }
        if (e.isRetryable() || code == 0 || code == 408 || code == 429 || code >= 500) {
            return new SourceUnavailableException(doing + " " + location + " failed (HTTP " + code + ": "
                    + e.getMessage() + "); retrying later may succeed", e);
        }
        return new FlashException(doing + " " + location + " failed (HTTP " + code + ": " + e.getMessage() + ")", e);
    }
}
