package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.testkit.S3FaultProxy;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Publishing through the S3 source against a real S3Proxy: a multipart upload in parts uploaded at
 * once, invisible under its key until committed, byte-exact afterwards; an abort, a close without
 * commit and an upload the store keeps refusing leave no object and no pending upload behind.
 */
class S3PublishTest {

    @TempDir
    static Path dir;

    private static S3Fixture s3;

    @BeforeAll
    static void start() throws IOException {
        s3 = S3Fixture.start(dir.resolve("s3"));
    }

    @AfterAll
    static void stop() throws IOException {
        s3.close();
    }

    private static Options options(URI endpoint) {
        return S3Fixture.options(endpoint).with("s3.upload.part-size", "5m").with("s3.upload.concurrency", "3")
                .with("retry.base-delay", "10ms").with("retry.max-delay", "50ms").with("retry.attempts", "3");
    }

    private static boolean exists(String key) {
        try {
            s3.uploader.headObject(r -> r.bucket(S3Fixture.BUCKET).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private static int pendingUploads() {
        return s3.uploader.listMultipartUploads(r -> r.bucket(S3Fixture.BUCKET)).uploads().size();
    }

    private static byte[] download(String key) throws IOException {
        try (InputStream in = s3.uploader.getObject(r -> r.bucket(S3Fixture.BUCKET).key(key))) {
            return in.readAllBytes();
        }
    }

    @Test
    void aMultipartUploadAppearsWholeOnCommitOnly() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] object = TestImages.random(random, 17 * (1 << 20) + random.nextInt(1 << 20));
        URI location = S3Fixture.uri("published/multipart.img.lz4");
        String version;
        try (PublishStream out = new S3ImageSource(Map.of()).publish(location, options(s3.server.endpoint()))) {
            int at = 0;
            while (at < object.length) {
                int n = Math.min(object.length - at, 1 + random.nextInt(3 << 20));
                out.write(object, at, n);
                at += n;
            }
            assertThat(exists("published/multipart.img.lz4")).as("visible before commit").isFalse();
            assertThat(pendingUploads()).isEqualTo(1);
            version = out.commit();
        }
        assertThat(download("published/multipart.img.lz4")).as(Seeds.describe(seed)).isEqualTo(object);
        assertThat(pendingUploads()).isZero();
        try (PinnedImage read = new S3ImageSource(Map.of()).open(location, s3.options())) {
            assertThat(read.info().version()).isEqualTo(version);
            assertThat(read.info().length()).isEqualTo(object.length);
        }
    }

    @Test
    void anObjectSmallerThanOnePartIsOnePut() throws IOException {
        byte[] object = "-----BEGIN SSH SIGNATURE-----\n...\n".getBytes();
        URI location = S3Fixture.uri("published/small.sshsig");
        try (PublishStream out = new S3ImageSource(Map.of()).publish(location, options(s3.server.endpoint()))) {
            out.write(object);
            out.commit();
        }
        assertThat(download("published/small.sshsig")).isEqualTo(object);
        assertThat(pendingUploads()).isZero();
    }

    @Test
    void anAbortOrACloseWithoutCommitLeavesNothing() throws IOException {
        byte[] object = TestImages.random(new Random(3), 12 << 20);
        for (boolean explicitAbort : new boolean[] {true, false}) {
            String key = "published/aborted-" + explicitAbort;
            try (PublishStream out = new S3ImageSource(Map.of()).publish(S3Fixture.uri(key),
                    options(s3.server.endpoint()))) {
                out.write(object);
                if (explicitAbort) {
                    out.abort();
                    assertThatThrownBy(() -> out.write(1)).isInstanceOf(IOException.class)
                            .hasMessageContaining("it was already aborted");
                }
            }
            assertThat(exists(key)).isFalse();
            assertThat(pendingUploads()).as("parts left behind").isZero();
        }
    }

    @Test
    void anUploadTheStoreKeepsRefusingIsAbortedWithTheReason() throws IOException {
        // Every PUT (the parts) is answered 503 SlowDown; the upload's other requests go through.
        try (var proxy = new S3FaultProxy(s3.server.port(),
                (method, n, range, auth) -> method.equals("PUT") ? S3FaultProxy.Fault.SLOW_DOWN : S3FaultProxy.Fault.NONE,
                Duration.ZERO)) {
            String key = "published/refused.img";
            PublishStream out = new S3ImageSource(Map.of()).publish(S3Fixture.uri(key), options(proxy.endpoint()));
            assertThatThrownBy(() -> {
                try (out) {
                    out.write(TestImages.random(new Random(4), 16 << 20));
                    out.commit();
                }
            }).isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("gave up upload part")
                    .hasMessageContaining("of s3://images/" + key + " after 3 attempts")
                    .hasMessageContaining("answered 503");
            assertThat(proxy.faults(S3FaultProxy.Fault.SLOW_DOWN)).isGreaterThanOrEqualTo(3);
            assertThat(exists(key)).isFalse();
            assertThat(pendingUploads()).isZero();
        }
    }

    @Test
    void badUploadOptionsAreRefusedNamingThem() {
        assertThatThrownBy(() -> new S3ImageSource(Map.of()).publish(S3Fixture.uri("x"),
                s3.options().with("s3.upload.part-size", "1m")))
                .isInstanceOf(FlashException.class)
                .hasMessageContaining("option s3.upload.part-size=1m is out of range: expected 5242880 to 536870912");
    }
}
