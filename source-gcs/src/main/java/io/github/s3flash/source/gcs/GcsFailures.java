package io.github.s3flash.source.gcs;

import com.google.cloud.BaseServiceException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.SourceRequest;
import io.github.s3flash.api.SourceUnusableException;
import java.net.URI;

/**
 * Turns the client's exceptions into the checked hierarchy through {@link SourceRequest}, with
 * messages that say what to do; and the failures of {@link GenerationCheck} into what they are.
 */
final class GcsFailures {

    private static final String CREDENTIALS = "credentials in use: option gcs.credentials if given, else"
            + " Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default"
            + " login, or the GCE metadata server's service account); they need storage.objects.get on the object";

    private GcsFailures() {}

    /** A failure while pinning the object at open. */
    static FlashException opening(BaseServiceException e, String location) {
        return request("opening " + location, RequestStage.OPENING).failed(e.getCode(), e.getReason(), e.getMessage(), e);
    }

    /** A failure while reading a range of the pinned {@code generation}. */
    static FlashException reading(BaseServiceException e, String location, long generation) {
        if (GenerationCheck.UNPROVEN.equals(e.getReason())) {
            return new SourceUnusableException("reading " + location + ": " + e.getMessage(), e);
        }
        // The precondition failed, or the pinned generation is gone (deleted, or replaced in a
        // bucket without versioning): either way its bytes can no longer be read.
        return request("reading " + location + " (generation " + generation + " pinned)", RequestStage.READING)
                .failed(e.getCode(), e.getReason(), e.getMessage(), e);
    }

    private static SourceRequest request(String description, RequestStage stage) {
        return new SourceRequest(description, stage).withNotFound("check the bucket and object name")
                .withDenied(CREDENTIALS);
    }
}
