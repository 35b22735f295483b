package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** One mapping from what a server answered to the checked hierarchy, for every source. */
class SourceRequestTest {

    private static final SourceRequest OPEN = new SourceRequest("HEAD s3://b/k at http://127.0.0.1:9", RequestStage.OPENING)
            .withNotFound("check the bucket and the key").withDenied("grant s3:GetObject to profile ops");
    private static final SourceRequest READ = new SourceRequest("GET bytes=0-9 of s3://b/k", RequestStage.READING);

    @Test
    void everyStatusClassMapsToItsException() {
        Map<Integer, Class<? extends FlashException>> opening = Map.ofEntries(
                Map.entry(404, ImageNotFoundException.class), Map.entry(410, ImageNotFoundException.class),
                Map.entry(401, ImageAccessDeniedException.class), Map.entry(403, ImageAccessDeniedException.class),
                Map.entry(412, SourceChangedException.class), Map.entry(429, SourceThrottledException.class),
                Map.entry(503, SourceThrottledException.class), Map.entry(500, SourceUnavailableException.class),
                Map.entry(502, SourceUnavailableException.class), Map.entry(408, SourceUnavailableException.class),
                Map.entry(0, SourceUnavailableException.class), Map.entry(400, SourceUnusableException.class),
                Map.entry(416, SourceUnusableException.class), Map.entry(501, SourceUnavailableException.class));
        opening.forEach((status, type) -> assertThat(OPEN.failed(status, null, null, null))
                .as("HTTP %d at open", status).isExactlyInstanceOf(type));
        for (int status : new int[] {404, 410, 412, 416}) {
            assertThat(READ.failed(status, null, null, null)).as("HTTP %d once pinned", status)
                    .isInstanceOf(SourceChangedException.class).hasMessageContaining("flash again");
        }
        assertThat(READ.failed(503, null, null, null)).isInstanceOf(SourceThrottledException.class)
                .satisfies(e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void errorCodesOfObjectStoresDecideTooAndMessagesSayWhatToDo() {
        assertThat(OPEN.failed(400, "SlowDown", null, null)).isInstanceOf(SourceThrottledException.class);
        assertThat(OPEN.failed(403, "rateLimitExceeded", null, null)).isInstanceOf(ImageAccessDeniedException.class);
        assertThat(OPEN.failed(400, "RequestTimeout", "Your socket connection was not read", null))
                .isExactlyInstanceOf(SourceUnavailableException.class)
                .hasMessage("HEAD s3://b/k at http://127.0.0.1:9 answered 400 RequestTimeout (Your socket connection"
                        + " was not read): a transient fault of the source; retrying later may succeed");
        assertThat(OPEN.failed(404, "NoSuchKey", null, null))
                .hasMessageContaining("answered 404 NoSuchKey: no image there; check the bucket and the key");
        assertThat(OPEN.failed(403, "AccessDenied", null, null))
                .hasMessageContaining("access denied; grant s3:GetObject to profile ops");
        var cause = new RuntimeException("client");
        assertThat(READ.failed(412, "PreconditionFailed", null, cause)).hasCause(cause)
                .hasMessageContaining("was replaced during the flash")
                .hasMessageContaining("bytes of two versions are never mixed");
    }
}
