package io.github.s3flash.source.gcs;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.SourceUnusableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** Everything of {@link GcsImageSource} that touches Google's client: making one, and pinning an object. */
final class GcsClients {

    /** Makes the client for one image from the options. */
    @FunctionalInterface
    interface StorageFactory {
        Storage create(Options options) throws IOException;
    }

    private GcsClients() {}

    /** Pins the object at {@code location} to its current generation; {@code factory} null: the default client. */
    static PinnedImage open(URI location, Options options, StorageFactory factory, int concurrency) throws IOException {
        BlobId id = blobId(location);
        String shown = ImageLocations.redact(location);
        Storage storage = factory != null ? factory.create(options) : defaultStorage(options);
        try {
            Blob blob;
            try {
                blob = storage.get(id);
            } catch (StorageException e) {
                throw GcsFailures.opening(e, shown);
            }
            if (blob == null) {
                throw new ImageNotFoundException("no object " + shown + " (bucket " + id.getBucket() + ", object "
                        + id.getName() + "); check the bucket and object name");
            }
            Long generation = blob.getGeneration();
            Long size = blob.getSize();
            if (generation == null || size == null) {
                throw new SourceUnusableException("object " + shown + " has no generation or size in its metadata;"
                        + " it cannot be pinned, so it is not read");
            }
            var info = new ImageInfo(location, size, "generation " + generation, true, concurrency);
            return new GcsImage(storage, id, generation, info);
        } catch (IOException | RuntimeException e) {
            closeQuietly(storage);
            throw e;
        }
    }

    static BlobId blobId(URI location) throws ImageNotFoundException {
        // The authority, not the host: bucket names may hold underscores, which a URI host may not.
        String bucket = location.getRawAuthority();
        String path = location.getPath();
        String shown = ImageLocations.redact(location);
        if (!"gs".equalsIgnoreCase(location.getScheme()) || bucket == null || bucket.isEmpty() || path == null
                || path.length() < 2) {
            throw new ImageNotFoundException("'" + shown + "' is not a GCS object URL: write it as gs://bucket/object");
        }
        // Credentials come from ADC or gcs.credentials, never from the URL; a query would be taken for
        // part of the name by some and dropped by others.
        if (bucket.contains("@") || location.getRawQuery() != null || location.getRawFragment() != null) {
            throw new ImageNotFoundException("'" + shown + "' has credentials, a query or a fragment, which a GCS"
                    + " object URL cannot have: write it as gs://bucket/object");
        }
        return BlobId.of(bucket, path.substring(1));
    }

    static Storage defaultStorage(Options options) throws IOException {
        StorageOptions.Builder builder = StorageOptions.newBuilder().setTransportOptions(new GenerationCheck());
        options.get("gcs.project").ifPresent(builder::setProjectId);
        options.get("gcs.endpoint").ifPresent(builder::setHost);
        var keyFile = options.get("gcs.credentials");
        if (options.getBoolean("gcs.anonymous", false)) {
            // Public objects; also keeps the client from probing for credentials.
            builder.setCredentials(NoCredentials.getInstance());
        } else if (keyFile.isPresent()) {
            Path path = Path.of(keyFile.get());
            try (InputStream in = Files.newInputStream(path)) {
                builder.setCredentials(GoogleCredentials.fromStream(in)
                        .createScoped("https://www.googleapis.com/auth/devstorage.read_only"));
            } catch (IOException e) {
                throw new InvalidOptionException("gcs.credentials", "cannot read the GCS credentials " + path
                        + " (option gcs.credentials): " + e.getMessage() + "; give a service-account or"
                        + " authorized-user JSON key file", e);
            }
        }
        // Without credentials set, StorageOptions uses Application Default Credentials.
        return builder.build().getService();
    }

    static void closeQuietly(Storage storage) {
        try {
            storage.close();
        } catch (Exception ignored) {
            // The client's close releases pooled connections; failing to do so changes no result.
        }
    }
}
