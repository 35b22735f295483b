package io.github.s3flash.source.gcs;

import io.github.s3flash.api.ImageSource;
import io.github.s3flash.testkit.ImageSourceContract;
import java.io.IOException;
import java.net.URI;

/**
 * The gs:// source against the source contract (whole, random-range and one-byte reads, missing
 * object), on <b>Google's in-process fake</b> of GCS (see {@link FakeGcs}: no emulator can run here).
 */
class GcsImageSourceContractTest extends ImageSourceContract {

    private final FakeGcs gcs = new FakeGcs();

    @Override
    protected ImageSource source() {
        return new GcsImageSource(options -> gcs.client());
    }

    @Override
    protected URI store(String name, byte[] bytes) throws IOException {
        gcs.put(name, bytes);
        return URI.create("gs://" + FakeGcs.BUCKET + "/" + name);
    }

    @Override
    protected URI missing() {
        return URI.create("gs://" + FakeGcs.BUCKET + "/no-such-image.img");
    }
}
