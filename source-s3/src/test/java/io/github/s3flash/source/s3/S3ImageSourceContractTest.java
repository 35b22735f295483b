package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.testkit.ImageSourceContract;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The S3 source, found through the ServiceLoader, against the source contract on a real S3Proxy. */
class S3ImageSourceContractTest extends ImageSourceContract {

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

    @Override
    protected ImageSource source() {
        try {
            return ProviderRegistry.load().source(URI.create("s3://any/key"), Options.empty());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected URI store(String name, byte[] bytes) {
        return s3.put("contract/" + name, bytes);
    }

    @Override
    protected void replace(String name, URI uri, byte[] bytes) {
        s3.put("contract/" + name, bytes);
    }

    @Override
    protected URI missing() {
        return S3Fixture.uri("contract/no-such-image.img");
    }

    @Override
    protected Options options() {
        return s3.options();
    }

    @Test
    void theProviderIsTheS3SourceOfThisModule() {
        assertThat(source()).isInstanceOf(S3ImageSource.class);
        assertThat(source().name()).isEqualTo("s3");
    }

    @Test
    void pinsLengthAndEtag() throws IOException {
        URI uri = s3.put("info", new byte[12345]);
        try (PinnedImage image = source().open(uri, options())) {
            assertThat(image.info().length()).isEqualTo(12345);
            assertThat(image.info().rangeReads()).isTrue();
            assertThat(image.info().version()).isEqualTo(
                    s3.uploader.headObject(b -> b.bucket(S3Fixture.BUCKET).key("info")).eTag());
            assertThat(image.info().suggestedConcurrency()).isEqualTo(S3Settings.DEFAULT_CONCURRENCY);
        }
    }

    @Test
    void anObjectReplacedByAShorterOneIsASourceChange() throws IOException {
        URI uri = s3.put("shrunk", new byte[100_000]);
        try (PinnedImage image = source().open(uri, options())) {
            s3.put("shrunk", new byte[] {1, 2, 3});
            assertThatThrownBy(() -> image.openRange(1000, 1000).close())
                    .isInstanceOf(SourceChangedException.class)
                    .hasMessageContaining("s3://images/shrunk")
                    .hasMessageContaining("flash again");
        }
    }

    @Test
    void anObjectDeletedAfterPinningIsASourceChange() throws IOException {
        URI uri = s3.put("deleted", new byte[5000]);
        try (PinnedImage image = source().open(uri, options())) {
            s3.uploader.deleteObject(b -> b.bucket(S3Fixture.BUCKET).key("deleted"));
            assertThatThrownBy(() -> image.openRange(0, -1).close())
                    .isInstanceOf(SourceChangedException.class)
                    .hasMessageContaining("deleted during the flash");
        }
    }

    @Test
    void aMissingBucketIsNotFoundNamingBucketKeyAndCredentials() {
        URI uri = URI.create("s3://no-such-bucket/some/disk.img.lz4");
        assertThatThrownBy(() -> source().open(uri, options()).close())
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("no-such-bucket")
                .hasMessageContaining("some/disk.img.lz4")
                .hasMessageContaining("Java system properties aws.accessKeyId")
                .hasMessageNotContaining(io.github.s3flash.testkit.S3TestServer.SECRET_ACCESS_KEY);
    }

    @Test
    void aUriWithoutKeyIsRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> source().open(URI.create("s3://bucket-only"), options()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("names no object key");
        assertThatThrownBy(() -> source().open(URI.create("s3://bucket/prefix/"), options()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("a prefix");
    }
}
