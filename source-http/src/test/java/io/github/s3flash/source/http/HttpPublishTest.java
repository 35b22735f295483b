package io.github.s3flash.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.api.SourceUnusableException;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.Seeds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing with an HTTP {@code PUT} (boot mode sends its reports this way to an https:// URL), to a
 * real nginx whose WebDAV module takes PUTs under /upload/ (and, behind a header check, under
 * /private/): the object appears only on commit, byte for byte, is read back by the http source, and
 * every refusal of the server is a clear error naming the URL.
 */
class HttpPublishTest {

    @TempDir
    static Path dir;

    static Path www;
    static NginxServer nginx;

    @BeforeAll
    static void startServer() throws IOException {
        www = Files.createDirectories(dir.resolve("www"));
        nginx = NginxServer.serving(www)
                .serverConfig("location /upload/ { dav_methods PUT; create_full_put_path on; client_max_body_size 8m; }")
                .serverConfig("location /private/ { if ($http_x_api_key != \"k1\") { return 403; }"
                        + " dav_methods PUT; create_full_put_path on; }")
                .serverConfig("location /busy/ { return 503; }")
                .start(dir.resolve("nginx"));
    }

    @AfterAll
    static void stopServer() throws IOException {
        nginx.close();
    }

    private static final HttpImageSource SOURCE = new HttpImageSource();

    @Test
    void aCommittedObjectIsStoredByteForByteAndReadsBack() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] body = new byte[random.nextInt(3 << 20)];
        random.nextBytes(body);
        var location = nginx.uri("/upload/reports/a/" + seed + ".json");
        try (PublishStream out = SOURCE.publish(location, Options.empty())) {
            // Written in random pieces: the stream must keep them in order.
            for (int at = 0; at < body.length; ) {
                int n = Math.min(body.length - at, 1 + random.nextInt(100_000));
                out.write(body, at, n);
                at += n;
            }
            assertThat(www.resolve("upload/reports/a/" + seed + ".json")).as("nothing before commit").doesNotExist();
            out.commit();
        }
        assertThat(Files.readAllBytes(www.resolve("upload/reports/a/" + seed + ".json"))).as(Seeds.describe(seed))
                .isEqualTo(body);
        try (PinnedImage image = SOURCE.open(location, Options.empty())) {
            assertThat(image.info().length()).isEqualTo(body.length);
            byte[] back = new byte[body.length];
            ImageStreams.readFully(image, 0, back, 0, back.length, RetryPolicy.DEFAULT, event -> { });
            assertThat(back).as(Seeds.describe(seed)).isEqualTo(body);
        }
    }

    @Test
    void anAbortSendsNothing() throws IOException {
        var location = nginx.uri("/upload/aborted.json");
        try (PublishStream out = SOURCE.publish(location, Options.empty())) {
            out.write(new byte[] {1, 2, 3});
        }
        assertThat(www.resolve("upload/aborted.json")).doesNotExist();
        assertThat(nginx.accessLog()).noneMatch(line -> line.startsWith("PUT /upload/aborted.json"));
    }

    @Test
    void headersAreSentAndARefusalNamesTheUrlAndWhatToCheck() throws IOException {
        var location = nginx.uri("/private/r.json");
        assertThatThrownBy(() -> {
            try (PublishStream out = SOURCE.publish(location, Options.empty())) {
                out.write(new byte[] {'{', '}'});
                out.commit();
            }
        }).isInstanceOf(ImageAccessDeniedException.class)
                .hasMessageContaining("PUT " + location + " answered 403")
                .hasMessageContaining("check the credentials");
        try (PublishStream out = SOURCE.publish(location, Options.empty().with("http.header.x-api-key", "k1"))) {
            out.write(new byte[] {'{', '}'});
            out.commit();
        }
        assertThat(Files.readString(www.resolve("private/r.json"))).isEqualTo("{}");
    }

    @Test
    void aLocationThatTakesNoPutIsRefusedAndATransientFaultIsRetriedThenNamed() throws IOException {
        assertThatThrownBy(() -> {
            try (PublishStream out = SOURCE.publish(nginx.uri("/static/r.json"), Options.empty())) {
                out.write(1);
                out.commit();
            }
        }).isInstanceOf(SourceUnusableException.class).hasMessageContaining("answered 405");
        var busy = Options.empty().with("retry.attempts", "3").with("retry.base-delay", "10ms");
        assertThatThrownBy(() -> {
            try (PublishStream out = SOURCE.publish(nginx.uri("/busy/r.json"), busy)) {
                out.write(1);
                out.commit();
            }
        }).isInstanceOf(SourceUnavailableException.class).hasMessageContaining("PUT " + nginx.uri("/busy/r.json"))
                .hasMessageContaining("answered 503");
        assertThat(nginx.accessLog()).filteredOn(line -> line.startsWith("PUT /busy/r.json")).hasSize(3);
    }

    @Test
    void moreThanTheBoundIsRefusedBeforeAnythingIsSent() throws IOException {
        var location = nginx.uri("/upload/big.bin");
        assertThatThrownBy(() -> {
            try (PublishStream out = SOURCE.publish(location, Options.empty().with("http.upload.max-size", "1k"))) {
                out.write(new byte[1024]);
                out.write(0);
            }
        }).isInstanceOf(InvalidOptionException.class).hasMessageContaining("http.upload.max-size")
                .hasMessageContaining("cannot publish more than 1024 bytes to " + location);
        assertThat(www.resolve("upload/big.bin")).doesNotExist();
    }
}
