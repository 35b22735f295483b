package io.github.s3flash.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnusableException;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pin is checked on every answer, not only asked for: through real nginx reverse proxies in
 * front of a real nginx origin, one that drops the preconditions ({@code If-Match}, {@code
 * If-Unmodified-Since}) as some proxies and caches do, and one that also drops the validators
 * ({@code ETag}, {@code Last-Modified}) from the answers to pinned reads; and an origin whose file
 * is rewritten in place while one stream reads it.
 */
class HttpPinCheckTest {

    @TempDir
    static Path dir;

    static Path www;
    static NginxServer origin;
    static NginxServer laxProxy;
    static NginxServer blindProxy;

    @BeforeAll
    static void startServers() throws IOException {
        www = Files.createDirectories(dir.resolve("www"));
        origin = NginxServer.serving(www).start(dir.resolve("origin"));
        String upstream = "proxy_pass http://127.0.0.1:" + origin.port() + "; proxy_http_version 1.1;"
                + " proxy_set_header If-Match \"\"; proxy_set_header If-Unmodified-Since \"\";";
        laxProxy = NginxServer.serving(www).serverConfig("location / { " + upstream + " }")
                .start(dir.resolve("lax-proxy"));
        // Answers to reads that carry a precondition (the pinned ones) lose their validators too;
        // the answer the source pins at open keeps them.
        blindProxy = NginxServer.serving(www)
                .serverConfig("location / { if ($http_if_match != \"\") { rewrite ^(.*)$ /pinned$1 last; } "
                        + upstream + " }")
                .serverConfig("location /pinned/ { internal; rewrite ^/pinned(.*)$ $1 break; " + upstream
                        + " proxy_hide_header ETag; proxy_hide_header Last-Modified; }")
                .start(dir.resolve("blind-proxy"));
    }

    @AfterAll
    static void stopServers() throws IOException {
        try (var a = origin; var b = laxProxy; var c = blindProxy) {
            // closes all three, even when one fails
        }
    }

    private static Options parallel() {
        return Options.of(Map.of("read.part-size", "65536", "read.concurrency", "3", "retry.base-delay", "1ms",
                "retry.max-delay", "5ms"));
    }

    private static byte[] readAll(PinnedImage image, Options options) throws IOException {
        try (InputStream in = ImageStreams.open(image, PipelineSettings.from(options), ProgressListener.NONE)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aProxyThatDropsThePreconditionCannotSlipInTheNewVersion() throws IOException {
        byte[] pinned = TestImages.random(new Random(1), 600_000);
        Files.write(www.resolve("lax.img"), pinned);
        try (PinnedImage image = new HttpImageSource().open(laxProxy.uri("/lax.img"), Options.empty())) {
            assertThat(readAll(image, parallel())).isEqualTo(pinned);
            NginxImageSourceContract.replaceFile(www.resolve("lax.img"), TestImages.random(new Random(2), 600_000));
            Throwable failure = catchThrowable(() -> readAll(image, parallel()));
            assertThat(failure).isInstanceOf(SourceChangedException.class).hasMessageContaining("its ETag is now");
        }
        assertThat(origin.accessLog()).as("the origin never saw a precondition").noneMatch(l -> l.contains(" 412 "));
    }

    @Test
    void answersToPinnedReadsWithoutTheirValidatorsAreRefusedNotTrusted() throws IOException {
        byte[] pinned = TestImages.random(new Random(3), 600_000);
        Files.write(www.resolve("blind.img"), pinned);
        try (PinnedImage image = new HttpImageSource().open(blindProxy.uri("/blind.img"), Options.empty())) {
            assertThat(image.info().version()).startsWith("etag ");
            NginxImageSourceContract.replaceFile(www.resolve("blind.img"), TestImages.random(new Random(4), 600_000));
            Throwable failure = catchThrowable(() -> readAll(image, parallel()));
            assertThat(failure).isInstanceOf(SourceUnusableException.class)
                    .hasMessageContaining("answered without the ETag or Last-Modified it was pinned by");
        }
    }

    /**
     * One stream (no parallel ranges) from an origin whose file is rewritten in place, same size,
     * after the first megabyte was read: nginx goes on sending the file, now with the new bytes, in
     * the answer it began with the old ETag. The version check after the last byte catches it.
     */
    @Test
    void aFileRewrittenInPlaceDuringOneStreamIsCaughtBeforeTheEndIsReported() throws IOException {
        int size = 24 << 20;
        byte[] pinned = TestImages.random(new Random(5), size);
        byte[] replacement = TestImages.random(new Random(6), size);
        Path file = Files.write(www.resolve("in-place.img"), pinned);
        Options oneStream = Options.of(Map.of("read.concurrency", "1", "read.part-size", "1m"));
        try (PinnedImage image = new HttpImageSource().open(origin.uri("/in-place.img"), Options.empty());
                InputStream in = ImageStreams.open(image, PipelineSettings.from(oneStream), ProgressListener.NONE)) {
            assertThat(in.readNBytes(1 << 20)).isEqualTo(Arrays.copyOf(pinned, 1 << 20));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(replacement), 0);
            }
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(3600)));
            byte[][] rest = new byte[1][];
            Throwable failure = catchThrowable(() -> rest[0] = in.readAllBytes());
            if (failure == null) {
                assertThat(rest[0]).as("bytes handed out without a failure").isEqualTo(Arrays.copyOfRange(pinned, 1 << 20, size));
            }
            assertThat(failure).isInstanceOf(SourceChangedException.class);
        }
    }
}
