package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * A request a source made of a server, for turning its error answer (an HTTP status, or the status
 * and error code of an object store's API) into the checked hierarchy, the same way for every
 * source:
 *
 * <table>
 *   <caption>status to exception</caption>
 *   <tr><th>answer</th><th>exception</th></tr>
 *   <tr><td>412; 404, 410 or 416 once pinned</td><td>{@link SourceChangedException}</td></tr>
 *   <tr><td>404, 410</td><td>{@link ImageNotFoundException} (with {@link #notFound()})</td></tr>
 *   <tr><td>401, 403, 407</td><td>{@link ImageAccessDeniedException} (with {@link #denied()})</td></tr>
 *   <tr><td>429, 503, a throttling code ({@code SlowDown}, ...)</td><td>{@link SourceThrottledException}</td></tr>
 *   <tr><td>408, 425, other 5xx, a transient code, no answer (0)</td><td>{@link SourceUnavailableException}</td></tr>
 *   <tr><td>anything else</td><td>{@link SourceUnusableException}</td></tr>
 * </table>
 *
 * @param description what was asked of whom, never with secrets: "GET bytes=0-99 of s3://b/k at
 *     http://127.0.0.1:9000"
 * @param stage opening the image, or reading a range of it once pinned: then a missing or shorter
 *     image was replaced or deleted during the flash
 * @param notFound what to do when nothing is at the location ("check the bucket and the key")
 * @param denied what to do when access is refused, naming the credentials in use, never their secret
 */
public record SourceRequest(String description, RequestStage stage, String notFound, String denied) {

    /** Error codes of S3, GCS and compatible stores that ask the client to slow down. */
    private static final Set<String> THROTTLING = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestLimitExceeded", "TooManyRequestsException", "EC2ThrottledException", "rateLimitExceeded",
            "userRateLimitExceeded");
    /** Error codes of transient faults that are not throttling. */
    private static final Set<String> TRANSIENT = Set.of("RequestTimeout", "InternalError", "ServiceUnavailable",
            "IDPCommunicationError", "backendError", "internalError");

    public SourceRequest {
        requireNonNull(description, "description");
        requireNonNull(stage, "stage");
        requireNonNull(notFound, "notFound");
        requireNonNull(denied, "denied");
    }

    /** A request with general advice for a missing image and for refused access. */
    public SourceRequest(String description, RequestStage stage) {
        this(description, stage, "check the location", "check the credentials");
    }

    public SourceRequest withNotFound(String advice) {
        return new SourceRequest(description, stage, advice, denied);
    }

    public SourceRequest withDenied(String advice) {
        return new SourceRequest(description, stage, notFound, advice);
    }

    /**
     * The exception for the answer {@code status} ({@code 0}: no answer at all).
     *
     * @param code the store's error code ({@code SlowDown}, {@code NoSuchKey}), or null
     * @param detail the server's own message, or null; shown after the status
     * @param cause the client's exception, or null
     */
    public FlashException failed(int status, String code, String detail, Throwable cause) {
        String what = description + (status > 0 ? " answered " + status : " got no answer")
                + (code == null || code.isBlank() ? "" : " " + code)
                + (detail == null || detail.isBlank() ? "" : " (" + detail + ")");
        boolean missing = status == 404 || status == 410;
        if (status == 412 || (stage == RequestStage.READING && (missing || status == 416))) {
            String how = status == 412 ? "it was replaced during the flash (its version is no longer the one pinned"
                    + " when the flash began)"
                    : missing ? "it (or its pinned version) was deleted during the flash"
                    : "it was replaced during the flash by a shorter one";
            return new SourceChangedException(what + ": " + how + "; bytes of two versions are never mixed: flash"
                    + " again to take the image as it is now", cause);
        }
        if (missing) {
            return new ImageNotFoundException(what + ": no image there; " + notFound, cause);
        }
        if (status == 401 || status == 403 || status == 407) {
            return new ImageAccessDeniedException(what + ": access denied; " + denied, cause);
        }
        if (throttling(status, code)) {
            return new SourceThrottledException(what + ": the source is throttling requests; they are retried"
                    + " later, with fewer at once where the reader can", cause);
        }
        if (status <= 0 || status == 408 || status == 425 || status >= 500 || (code != null && TRANSIENT.contains(code))) {
            return new SourceUnavailableException(what + ": a transient fault of the source; retrying later may"
                    + " succeed", cause);
        }
        return new SourceUnusableException(what + ": not an answer a flash can use; check the location, the"
                + " options and the server", cause);
    }

    /** Whether an answer asks the client to slow down: 429, 503, or a throttling error code. */
    public static boolean throttling(int status, String code) {
        return status == 429 || status == 503 || (code != null && THROTTLING.contains(code));
    }
}
