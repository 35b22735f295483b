package io.github.s3flash.source.gcs;

import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.ImageSourceContract;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gs:// source, with its default client, against the source contract, on <b>a stand-in for
 * GCS</b> ({@link GcsStandIn}: nginx serving generations and their preconditions; no GCS emulator can
 * run here). Google's in-process fake cannot serve here: it ignores generations on media reads, so
 * no source could tell a replaced object from the pinned one there.
 */
class GcsImageSourceContractTest extends ImageSourceContract {

    @TempDir
    static Path dir;

    static GcsStandIn gcs;

    @BeforeAll
    static void start() throws IOException {
        gcs = GcsStandIn.start(dir, "");
    }

    @AfterAll
    static void stop() throws IOException {
        gcs.close();
    }

    @Override
    protected ImageSource source() {
        return new GcsImageSource();
    }

    @Override
    protected Options options() {
        return gcs.options();
    }

    @Override
    protected URI store(String name, byte[] bytes) throws IOException {
        return gcs.put(name, bytes);
    }

    @Override
    protected void replace(String name, URI uri, byte[] bytes) throws IOException {
        gcs.put(name, bytes);
    }

    @Override
    protected URI missing() {
        return GcsStandIn.uri("no-such-image.img");
    }
}
