package io.github.s3flash.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.testkit.NginxServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http source against the source contract on a real nginx with range support off ({@code
 * max_ranges 0}): the image is read as one stream.
 */
class NoRangesImageSourceContractTest extends NginxImageSourceContract {

    @TempDir
    static Path dir;

    static NginxServer nginx;

    @BeforeAll
    static void startNginx() throws IOException {
        nginx = NginxServer.serving(Files.createDirectories(dir.resolve("www"))).withoutRanges()
                .start(dir.resolve("nginx"));
    }

    @AfterAll
    static void stopNginx() throws IOException {
        nginx.close();
    }

    @Override
    protected NginxServer nginx() {
        return nginx;
    }

    @Override
    protected Path www() {
        return dir.resolve("www");
    }

    @Test
    void aServerWithoutRangesIsReadAsOneStream() throws IOException {
        byte[] bytes = new byte[300_000];
        new java.util.Random(3).nextBytes(bytes);
        URI uri = store("one-stream", bytes);
        try (PinnedImage image = source().open(uri, Options.empty())) {
            assertThat(image.info().rangeReads()).isFalse();
            assertThat(image.info().suggestedConcurrency()).isEqualTo(1);
            assertThat(image.info().length()).isEqualTo(bytes.length);
            assertThatThrownBy(() -> image.openRange(10, 5)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no range reads");
            try (InputStream in = image.openRange(0, -1)) {
                assertThat(in.readAllBytes()).isEqualTo(bytes);
            }
        }
        assertThat(nginx.accessLog()).allSatisfy(line -> assertThat(line).doesNotContain(" 206 "));
    }
}
