package io.github.s3flash.source.s3;

import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.ImageSourceContract;
import io.github.s3flash.testkit.S3rverServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 source against the source contract on a second, independent S3 server, s3rver: it ignores
 * {@code If-Match}, so an image replaced after the pin is caught by the source's own check of every
 * answer's ETag, not by the server.
 */
class S3rverImageSourceContractTest extends ImageSourceContract {

    @TempDir
    static Path dir;

    static S3rverServer s3rver;

    @BeforeAll
    static void startServer() throws IOException {
        s3rver = S3rverServer.start(dir.resolve("s3rver"), S3Fixture.BUCKET);
    }

    @AfterAll
    static void stopServer() throws IOException {
        s3rver.close();
    }

    @Override
    protected ImageSource source() {
        return new S3ImageSource();
    }

    @Override
    protected URI store(String name, byte[] bytes) throws IOException {
        s3rver.put(S3Fixture.BUCKET, "contract/" + name, bytes);
        return S3Fixture.uri("contract/" + name);
    }

    @Override
    protected void replace(String name, URI uri, byte[] bytes) throws IOException {
        store(name, bytes);
    }

    @Override
    protected URI missing() {
        return S3Fixture.uri("contract/no-such-image.img");
    }

    @Override
    protected Options options() {
        return S3Fixture.options(s3rver.endpoint());
    }
}
