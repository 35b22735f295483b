package io.github.s3flash.source.gcs;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * GCS as the tests see it: <b>a fake</b>. No GCS emulator can run here, so the tests use Google's
 * own in-process fake of the storage JSON API, {@code LocalStorageHelper} from google-cloud-nio
 * (its {@code FakeStorageRpc}), through the real google-cloud-storage client.
 *
 * <p>What the fake does and does not do decides what these tests prove. It keeps objects in memory
 * behind a mock HTTP transport, so the client's real JSON-API code runs, and serves media reads
 * from any offset (ranged reads and resume are real client calls). It assigns generations only on
 * resumable uploads and rewrites (not on simple uploads), so objects are written here with a
 * resumable upload and replaced with a rewrite (copy), which gives a new generation as GCS does.
 * It does <b>not</b> enforce the {@code ifGenerationMatch} precondition on media reads (it serves the
 * live object), so a replaced object is not refused here as GCS refuses it (412): the tests check
 * instead that every read carries the precondition on the pinned generation. A deleted object
 * answers 404. It has no IAM, no ETags or checksums, no network (so no transient faults,
 * throttling or TLS) and no metadata server, so credentials (ADC), 401/403 from the service and
 * retries of the client's own transport are <b>not</b> covered here.
 */
final class FakeGcs {

    static final String BUCKET = "s3flash-test-bucket";

    private final StorageOptions options = LocalStorageHelper.getOptions();

    /** A client of the fake, as the source makes one per image. */
    Storage client() {
        return options.getService();
    }

    /** Writes {@code bytes} at {@code name} with a resumable upload, which gives it a generation. */
    void put(String name, byte[] bytes) throws IOException {
        try (Storage storage = client();
                WriteChannel writer = storage.writer(BlobInfo.newBuilder(BlobId.of(BUCKET, name)).build())) {
            writer.write(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** Replaces {@code name} with {@code bytes} as a rewrite would: same name, next generation. */
    void replace(String name, byte[] bytes) throws IOException {
        String staging = "staging-" + UUID.randomUUID();
        put(staging, bytes);
        try (Storage storage = client()) {
            storage.copy(Storage.CopyRequest.of(BlobId.of(BUCKET, staging), BlobId.of(BUCKET, name))).getResult();
            storage.delete(BlobId.of(BUCKET, staging));
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    long generation(String name) throws IOException {
        try (Storage storage = client()) {
            return storage.get(BlobId.of(BUCKET, name)).getGeneration();
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    void delete(String name) throws IOException {
        try (Storage storage = client()) {
            storage.delete(BlobId.of(BUCKET, name));
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
