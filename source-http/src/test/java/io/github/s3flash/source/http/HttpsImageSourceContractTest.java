package io.github.s3flash.source.http;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The https source against the source contract: a real nginx on 127.0.0.1 with a certificate signed
 * by a private CA (made by {@code openssl}) that only {@code http.ca-bundle} makes trusted.
 */
class HttpsImageSourceContractTest extends NginxImageSourceContract {

    @TempDir
    static Path dir;

    static NginxServer nginx;
    static TestCertificates certificates;

    @BeforeAll
    static void startNginx() throws IOException {
        certificates = TestCertificates.create(dir.resolve("tls"));
        nginx = NginxServer.serving(Files.createDirectories(dir.resolve("www")))
                .tls(certificates.certificate(), certificates.key())
                .start(dir.resolve("nginx"));
    }

    @AfterAll
    static void stopNginx() throws IOException {
        nginx.close();
    }

    @Override
    protected Options options() {
        return Options.empty().with("http.ca-bundle", certificates.ca().toString());
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
    void aBundleWithSeveralCertificatesAndCommentsIsAccepted() throws IOException {
        // A second, unrelated CA before ours, and text around the blocks, as in a system bundle.
        var other = TestCertificates.create(dir.resolve("other-ca"));
        Path bundle = Files.writeString(dir.resolve("bundle.pem"), "# corporate roots\n"
                + Files.readString(other.ca()) + "\nsome text between\n" + Files.readString(certificates.ca()));
        URI uri = store("bundle-check", new byte[] {7, 8, 9});
        try (PinnedImage image = source().open(uri, Options.empty().with("http.ca-bundle", bundle.toString()));
                InputStream in = image.openRange(0, -1)) {
            assertThat(in.readAllBytes()).containsExactly(7, 8, 9);
        }
    }
}
