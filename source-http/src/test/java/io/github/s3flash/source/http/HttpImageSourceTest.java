package io.github.s3flash.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceThrottledException;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the http source does beyond the contract, against real nginx servers on 127.0.0.1: pinning
 * (ETag and Last-Modified) and the source-changed error, redirects (pinned to the final URL,
 * credentials dropped at an origin change, no https→http downgrade), 404/401/403 and TLS failures
 * with clear messages, and header values kept out of messages and logs.
 */
class HttpImageSourceTest {

    private static final String SECRET = "Bearer s3cr3t-t0ken-never-shown";

    @TempDir
    static Path dir;

    static Path www;
    static NginxServer nginx;
    static NginxServer other;
    static NginxServer tls;
    static TestCertificates certificates;

    @BeforeAll
    static void startServers() throws IOException {
        www = Files.createDirectories(dir.resolve("www"));
        Path otherWww = Files.createDirectories(dir.resolve("other-www"));
        Files.writeString(dir.resolve("htpasswd"), "flasher:{PLAIN}open-sesame\n");
        // The other origin refuses any request that carries the test's credential header.
        other = NginxServer.serving(otherWww)
                .serverConfig("location / { if ($http_x_secret != \"\") { return 418; } }")
                .start(dir.resolve("nginx-other"));
        nginx = NginxServer.serving(www)
                .serverConfig("location = /moved.img { return 302 /real.img; }")
                .serverConfig("location = /moved-twice.img { return 301 /moved.img; }")
                .serverConfig("location = /loop.img { return 302 /loop.img; }")
                .serverConfig("location = /elsewhere.img { return 307 " + other.uri("/real.img") + "; }")
                .serverConfig("location /private/ { auth_basic \"s3flash\"; auth_basic_user_file "
                        + dir.resolve("htpasswd") + "; }")
                .serverConfig("location = /forbidden.img { return 403; }")
                .serverConfig("location = /broken.img { return 503; }")
                .serverConfig("location /no-etag/ { etag off; }")
                .start(dir.resolve("nginx"));
        certificates = TestCertificates.create(dir.resolve("tls"));
        tls = NginxServer.serving(www).tls(certificates.certificate(), certificates.key()).http2()
                .serverConfig("location = /downgrade.img { return 302 " + nginx.uri("/real.img") + "; }")
                .start(dir.resolve("nginx-tls"));
    }

    @AfterAll
    static void stopServers() throws IOException {
        try (var a = other; var b = nginx; var c = tls) {
            // closes all three, in reverse order, even when one fails
        }
    }

    private static byte[] put(String path, int size, long seed) throws IOException {
        byte[] bytes = TestImages.diskLike(new Random(seed), size);
        Path file = www.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        return bytes;
    }

    private static void replace(String path, byte[] bytes) throws IOException {
        NginxImageSourceContract.replaceFile(www.resolve(path.substring(1)), bytes);
    }

    private static byte[] readAll(PinnedImage image, Options options) throws IOException {
        try (InputStream in = ImageStreams.open(image, PipelineSettings.from(options), ProgressListener.NONE)) {
            return in.readAllBytes();
        }
    }

    private static Options parallel() {
        return Options.of(java.util.Map.of("read.part-size", "65536", "read.concurrency", "3"));
    }

    @Test
    void pinsTheEtagAndReportsLengthAndRangeSupport() throws IOException {
        byte[] bytes = put("/pinned.img", 1_000_000, 1);
        try (PinnedImage image = new HttpImageSource().open(nginx.uri("/pinned.img"), Options.empty())) {
            ImageInfo info = image.info();
            assertThat(info.length()).isEqualTo(bytes.length);
            assertThat(info.rangeReads()).isTrue();
            assertThat(info.version()).startsWith("etag \"");
            assertThat(info.suggestedConcurrency()).isEqualTo(HttpSettings.DEFAULT_CONCURRENCY);
            assertThat(readAll(image, parallel())).isEqualTo(bytes);
        }
    }

    /** The pin travels as a precondition: the server itself refuses a replaced object, before a byte of it is sent. */
    @Test
    void pinnedReadsCarryAPreconditionSoTheServerRefusesAReplacedObject() throws IOException {
        put("/replaced.img", 500_000, 2);
        try (PinnedImage image = new HttpImageSource().open(nginx.uri("/replaced.img"), Options.empty())) {
            replace("/replaced.img", TestImages.diskLike(new Random(3), 500_000));
            assertThatThrownBy(() -> image.openRange(1000, 5000))
                    .isInstanceOf(SourceChangedException.class)
                    .hasMessageContaining("/replaced.img answered 412: it was replaced during the flash");
        }
        assertThat(nginx.accessLog()).anySatisfy(line -> assertThat(line).contains("/replaced.img", " 412 "));
    }

    @Test
    void withoutAnEtagTheLastModifiedDateIsPinned() throws IOException {
        byte[] bytes = put("/no-etag/image.img", 700_000, 6);
        try (PinnedImage image = new HttpImageSource().open(nginx.uri("/no-etag/image.img"), Options.empty())) {
            assertThat(image.info().version()).startsWith("last-modified ");
            assertThat(image.info().rangeReads()).isTrue();
            assertThat(readAll(image, parallel())).isEqualTo(bytes);
            replace("/no-etag/image.img", TestImages.diskLike(new Random(7), 700_000));
            assertThatThrownBy(() -> image.openRange(0, 10)).isInstanceOf(SourceChangedException.class);
        }
    }

    @Test
    void redirectsAreFollowedAndRangesGoToTheFinalUrl() throws IOException {
        byte[] bytes = put("/real.img", 800_000, 8);
        int before = nginx.accessLog().size();
        try (PinnedImage image = new HttpImageSource().open(nginx.uri("/moved-twice.img"), Options.empty())) {
            assertThat(image.info().location()).isEqualTo(nginx.uri("/moved-twice.img"));
            assertThat(readAll(image, parallel())).isEqualTo(bytes);
        }
        List<String> requests = nginx.accessLog().subList(before, nginx.accessLog().size());
        assertThat(requests.stream().filter(l -> l.contains("/moved")).count())
                .as("each redirect is followed once, at open: %s", requests).isEqualTo(2);
        assertThat(requests.stream().filter(l -> l.startsWith("GET /real.img") && l.contains(" 206 ")).count())
                .as("ranges of the final URL: %s", requests).isGreaterThan(5);
    }

    @Test
    void credentialsAreNotSentToAnotherOriginAfterARedirect() throws IOException {
        byte[] bytes = TestImages.diskLike(new Random(9), 300_000);
        Files.write(dir.resolve("other-www/real.img"), bytes);
        Options options = Options.empty().with("http.header.X-Secret", SECRET);
        try (PinnedImage image = new HttpImageSource().open(nginx.uri("/elsewhere.img"), options)) {
            assertThat(readAll(image, options.with(parallel()))).isEqualTo(bytes);
        }
        assertThat(other.accessLog()).isNotEmpty().noneSatisfy(line -> assertThat(line).contains(" 418 "));
    }

    @Test
    void aRedirectLoopAndAnHttpsToHttpDowngradeAreRefused() {
        assertThatThrownBy(() -> new HttpImageSource().open(nginx.uri("/loop.img"), Options.empty()))
                .isInstanceOf(FlashException.class)
                .hasMessageContaining("redirected more than 10 times (option http.max-redirects)");
        Options trusted = Options.empty().with("http.ca-bundle", certificates.ca().toString());
        assertThatThrownBy(() -> new HttpImageSource().open(tls.uri("/downgrade.img"), trusted))
                .isInstanceOf(FlashException.class)
                .hasMessageContaining("redirected from https to plain http");
    }

    @Test
    void a404IsNotFoundNamingTheUrl() {
        assertThatThrownBy(() -> new HttpImageSource().open(nginx.uri("/missing/image.img?X-Signature=abc"),
                        Options.empty()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("GET http://127.0.0.1:" + nginx.port() + "/missing/image.img?… answered 404:"
                        + " no image there; check the URL")
                .hasMessageNotContaining("X-Signature");
    }

    @Test
    void a401SaysToPassCredentialsAndTheRightOnesWork() throws IOException {
        byte[] bytes = put("/private/image.img", 200_000, 10);
        assertThatThrownBy(() -> new HttpImageSource().open(nginx.uri("/private/image.img"), Options.empty()))
                .isInstanceOf(ImageAccessDeniedException.class)
                .hasMessageContaining("answered 401: access denied; the server requires authentication (extra headers"
                        + " sent: none)")
                .hasMessageContaining("option http.header.Authorization=");
        String basic = "Basic " + Base64.getEncoder().encodeToString("flasher:open-sesame".getBytes(StandardCharsets.UTF_8));
        Options options = Options.empty().with("http.header.Authorization", basic);
        try (PinnedImage image = new HttpImageSource().open(nginx.uri("/private/image.img"), options)) {
            assertThat(readAll(image, options.with(parallel()))).isEqualTo(bytes);
        }
    }

    @Test
    void a403IsAccessDeniedAndA503IsThrottlingAndRetryable() {
        assertThatThrownBy(() -> new HttpImageSource().open(nginx.uri("/forbidden.img"), Options.empty()))
                .isInstanceOf(ImageAccessDeniedException.class)
                .hasMessageContaining("answered 403: access denied");
        assertThatThrownBy(() -> new HttpImageSource().open(nginx.uri("/broken.img"), Options.empty()))
                .isInstanceOf(SourceThrottledException.class)
                .hasMessageContaining("answered 503")
                .satisfies(e -> assertThat(((FlashException) e).retryable()).isTrue());
    }

    @Test
    void headerValuesNeverAppearInMessagesOrLogs() throws IOException {
        put("/private/secret.img", 1000, 11);
        var records = new CopyOnWriteArrayList<LogRecord>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        Logger ours = Logger.getLogger(HttpImageSource.class.getPackageName());
        Level previous = ours.getLevel();
        root.addHandler(handler);
        ours.setLevel(Level.ALL);
        try {
            Options options = Options.empty().with("http.header.Authorization", SECRET);
            Throwable denied = catchThrowable(() -> new HttpImageSource().open(nginx.uri("/private/secret.img"), options));
            Throwable missing = catchThrowable(() -> new HttpImageSource().open(nginx.uri("/nothing.img"), options));
            Throwable bad = catchThrowable(() -> new HttpImageSource().open(nginx.uri("/x.img"),
                    options.with("http.header.Range", SECRET)));
            Throwable broken = catchThrowable(() -> new HttpImageSource().open(nginx.uri("/x.img"),
                    options.with("http.header.X-Bad", SECRET + "\r\nInjected: 1")));
            put("/logged.img", 300_000, 15);
            try (PinnedImage image = new HttpImageSource().open(nginx.uri("/logged.img"), options)) {
                readAll(image, options.with(parallel()));
            }
            assertThat(denied).isInstanceOf(ImageAccessDeniedException.class)
                    .hasMessageContaining("extra headers sent: Authorization");
            assertThat(bad).hasMessageContaining("option http.header.Range sets a header the http source manages");
            assertThat(broken).hasMessageContaining("option http.header.X-Bad has a line break");
            for (Throwable t : List.of(denied, missing, bad, broken)) {
                for (Throwable c = t; c != null; c = c.getCause()) {
                    assertThat(String.valueOf(c.getMessage())).doesNotContain("s3cr3t");
                }
            }
            assertThat(records).as("log records").isNotEmpty();
            assertThat(records).allSatisfy(r -> assertThat(
                    new java.util.logging.SimpleFormatter().formatMessage(r)).doesNotContain("s3cr3t"));
        } finally {
            root.removeHandler(handler);
            ours.setLevel(previous);
        }
    }

    private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        return org.assertj.core.api.Assertions.catchThrowable(call);
    }

    @Test
    void anUntrustedCertificateSaysSoAndNamesTheCaBundleOption() throws IOException {
        put("/tls.img", 1000, 12);
        assertThatThrownBy(() -> new HttpImageSource().open(tls.uri("/tls.img"), Options.empty()))
                .isInstanceOf(FlashException.class)
                .isNotInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("the TLS certificate of 127.0.0.1:" + tls.port() + " was not trusted")
                .hasMessageContaining("option http.ca-bundle=/path/to/ca.pem");
        var stranger = TestCertificates.create(dir.resolve("stranger-ca"));
        assertThatThrownBy(() -> new HttpImageSource().open(tls.uri("/tls.img"),
                        Options.empty().with("http.ca-bundle", stranger.ca().toString())))
                .hasMessageContaining("was not trusted");
    }

    @Test
    void aBadCaBundleIsRefusedClearly() throws IOException {
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> new HttpImageSource().open(tls.uri("/tls.img"),
                        Options.empty().with("http.ca-bundle", dir.resolve("absent.pem").toString())))
                .isInstanceOf(FlashException.class)
                .hasMessageContaining("cannot read CA bundle " + dir.resolve("absent.pem") + " (option http.ca-bundle)");
        assertThatThrownBy(() -> new HttpImageSource().open(tls.uri("/tls.img"),
                        Options.empty().with("http.ca-bundle", notPem.toString())))
                .isInstanceOf(FlashException.class)
                .hasMessageContaining("holds no PEM certificate");
    }

    @Test
    void aClosedPortIsATransientFaultAndCredentialsInTheUrlAreRefused() throws IOException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI closed = URI.create("http://127.0.0.1:" + port + "/image.img");
        assertThatThrownBy(() -> new HttpImageSource().open(closed, Options.empty()))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("cannot connect to 127.0.0.1:" + port);
        URI withUser = URI.create("http://user:pw@127.0.0.1:" + nginx.port() + "/real.img");
        assertThatThrownBy(() -> new HttpImageSource().open(withUser, Options.empty()))
                .isInstanceOf(FlashException.class)
                .hasMessageContaining("has credentials in the URL")
                .hasMessageNotContaining("pw");
    }

    @Test
    void badOptionsAreRefusedNamingTheKey() {
        URI uri = nginx.uri("/real.img");
        assertThatThrownBy(() -> new HttpImageSource().open(uri, Options.empty().with("http.version", "3")))
                .isInstanceOf(FlashException.class).hasMessageContaining("http.version=3");
        assertThatThrownBy(() -> new HttpImageSource().open(uri, Options.empty().with("http.read-timeout", "0")))
                .isInstanceOf(FlashException.class).hasMessageContaining("http.read-timeout");
        assertThatThrownBy(() -> new HttpImageSource().open(uri, Options.empty().with("http.header.Bad Name", "x")))
                .isInstanceOf(FlashException.class).hasMessageContaining("does not name a valid HTTP header");
    }

    @Test
    void rangeReadsCanBeTurnedOffByOption() throws IOException {
        byte[] bytes = put("/single.img", 400_000, 13);
        try (PinnedImage image = new HttpImageSource().open(nginx.uri("/single.img"),
                Options.empty().with("http.range-reads", "false"))) {
            assertThat(image.info().rangeReads()).isFalse();
            assertThat(readAll(image, parallel())).isEqualTo(bytes);
        }
    }

    @Test
    void http2OverTlsReadsByteExact() throws IOException {
        byte[] bytes = put("/h2.img", 900_000, 14);
        Options options = Options.empty().with("http.version", "2")
                .with("http.ca-bundle", certificates.ca().toString());
        try (PinnedImage image = new HttpImageSource().open(tls.uri("/h2.img"), options)) {
            assertThat(readAll(image, options.with(parallel()))).isEqualTo(bytes);
        }
        assertThat(tls.accessLog()).anySatisfy(line -> assertThat(line).contains("/h2.img HTTP/2.0 206"));
    }
}
