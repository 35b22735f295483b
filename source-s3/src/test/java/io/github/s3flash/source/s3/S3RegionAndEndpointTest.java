package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnusableException;
import io.github.s3flash.testkit.S3FaultProxy;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint from the standard environment variables, a bucket in another region than the client's,
 * and stores (or proxies) whose answers cannot be trusted as they are: one that ignores ranges, one
 * that drops the ETag a read was pinned by, one that serves another version of a versioned object.
 */
class S3RegionAndEndpointTest {

    @TempDir
    static Path dir;

    static S3Fixture s3;

    @BeforeAll
    static void startServer() throws IOException {
        s3 = S3Fixture.start(dir.resolve("s3"));
    }

    @AfterAll
    static void stopServer() throws IOException {
        s3.close();
    }

    @Test
    void theEndpointComesFromAwsEndpointUrlS3WhenNoOptionGivesIt() throws IOException {
        long seed = Seeds.next();
        byte[] bytes = TestImages.diskLike(new Random(seed), 300_000);
        URI uri = s3.put("env/disk.img", bytes);
        var source = new S3ImageSource(Map.of("AWS_ENDPOINT_URL_S3", s3.server.endpoint().toString()));
        try (PinnedImage image = source.open(uri, Options.empty().with("s3.region", S3TestServer.REGION));
                InputStream in = image.openRange(0, -1)) {
            assertThat(in.readAllBytes()).as(Seeds.describe(seed)).isEqualTo(bytes);
        }
    }

    @Test
    void aBucketInAnotherRegionIsFollowedThroughItsRedirect() throws IOException {
        long seed = Seeds.next();
        byte[] bytes = TestImages.diskLike(new Random(seed), 200_000);
        URI uri = s3.put("region/disk.img", bytes);
        var signedForBucketRegion = new AtomicInteger();
        // As S3 does: a request signed for the client's region (us-west-2) is answered 301 with the
        // bucket's region; requests signed for that region pass.
        S3FaultProxy.Plan plan = (method, n, range, authorization) -> {
            if (authorization != null && authorization.contains("/" + S3FaultProxy.BUCKET_REGION + "/s3/")) {
                signedForBucketRegion.incrementAndGet();
                return S3FaultProxy.Fault.NONE;
            }
            return S3FaultProxy.Fault.WRONG_REGION;
        };
        try (var proxy = new S3FaultProxy(s3.server.port(), plan, Duration.ZERO)) {
            Options options = Options.empty().with("s3.endpoint", proxy.endpoint().toString())
                    .with("s3.region", "us-west-2");
            try (PinnedImage image = new S3ImageSource().open(uri, options)) {
                for (int i = 0; i < 3; i++) {
                    try (InputStream in = image.openRange(i * 1000L, 1000)) {
                        assertThat(in.readAllBytes()).as(Seeds.describe(seed))
                                .isEqualTo(java.util.Arrays.copyOfRange(bytes, i * 1000, i * 1000 + 1000));
                    }
                }
            }
            assertThat(proxy.faults(S3FaultProxy.Fault.WRONG_REGION)).isPositive();
            assertThat(signedForBucketRegion.get()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void aStoreThatIgnoresRangesIsRefusedRatherThanReadAtTheWrongOffset() throws IOException {
        assertThat(rangeThroughAProxyThat(S3FaultProxy.Fault.DROP_RANGE, "norange/disk.img"))
                .isInstanceOf(SourceUnusableException.class)
                .hasMessageContaining("ignores Range requests")
                .hasMessageContaining("s3://images/norange/disk.img");
    }

    /** What opening a range of a new object throws when every GET goes through a proxy with {@code fault}. */
    private static Throwable rangeThroughAProxyThat(S3FaultProxy.Fault fault, String key) throws IOException {
        URI uri = s3.put(key, new byte[50_000]);
        try (var proxy = new S3FaultProxy(s3.server.port(),
                        (m, n, r, a) -> m.equals("GET") ? fault : S3FaultProxy.Fault.NONE, Duration.ZERO);
                PinnedImage image = new S3ImageSource().open(uri, S3Fixture.options(proxy.endpoint()))) {
            return org.assertj.core.api.Assertions.catchThrowable(() -> image.openRange(1000, 1000).close());
        }
    }

    /** A read whose answer lacks the ETag it was pinned by could be of any version: refused, not trusted. */
    @Test
    void anAnswerWithoutItsEtagIsRefusedRatherThanTrusted() throws IOException {
        assertThat(rangeThroughAProxyThat(S3FaultProxy.Fault.DROP_VALIDATORS, "noetag/disk.img"))
                .isInstanceOf(SourceUnusableException.class)
                .hasMessageContaining("answered without an ETag, so its bytes cannot be checked against the pinned"
                        + " version \"");
    }

    /**
     * In a versioned bucket the pin is the ETag and the version id: an answer that names another
     * version is a source change even when its ETag is the same (a version written again with the
     * same bytes, or a store that reports ETags loosely).
     */
    @Test
    void anAnswerOfAnotherVersionIdIsASourceChange() throws IOException {
        byte[] bytes = new byte[50_000];
        URI uri = s3.put("versioned/disk.img", bytes);
        var versions = new java.util.concurrent.CopyOnWriteArrayList<String>();
        S3FaultProxy.Plan plan = (method, n, range, authorization) -> {
            // The HEAD of open() pins version v1; the first GET is served from it, later ones from v2.
            versions.add(method + " " + n);
            return method.equals("HEAD") || n == 1 ? S3FaultProxy.Fault.VERSION_ONE : S3FaultProxy.Fault.VERSION_TWO;
        };
        try (var proxy = new S3FaultProxy(s3.server.port(), plan, Duration.ZERO);
                PinnedImage image = new S3ImageSource().open(uri, S3Fixture.options(proxy.endpoint()))) {
            assertThat(image.info().version()).endsWith(" version v1");
            try (InputStream in = image.openRange(0, 1000)) {
                assertThat(in.readAllBytes()).hasSize(1000);
            }
            assertThatThrownBy(() -> image.openRange(1000, 1000).close())
                    .isInstanceOf(SourceChangedException.class)
                    .hasMessageContaining("returned version id v2 but v1 was pinned");
        }
        assertThat(versions).as("requests").contains("HEAD 1", "GET 1", "GET 2");
    }
}
