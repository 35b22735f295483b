package io.github.s3flash.source.gcs;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.NoProviderException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import java.io.IOException;
import java.net.URI;
import java.util.Set;

/**
 * {@code gs://bucket/object} images, read with google-cloud-storage over its JSON API. The object's
 * generation is pinned at open, and every range is read with a generation-match precondition, so an
 * object replaced during a flash fails with {@link io.github.s3flash.api.SourceChangedException}
 * instead of mixing versions.
 *
 * <p>Credentials: Application Default Credentials (the {@code GOOGLE_APPLICATION_CREDENTIALS} key
 * file, {@code gcloud auth application-default login}, or on GCE the metadata server), or a key
 * file given by option {@code gcs.credentials}, or none with {@code gcs.anonymous=true} (public
 * objects). Other options: {@code gcs.project}, {@code gcs.endpoint} (another host, e.g. a private
 * endpoint), {@code gcs.concurrency}.
 *
 * <p>This class names no Google type (they live in {@link GcsClients}): ServiceLoader instantiates
 * every provider, so a plugin installed without Google's jars must still load and then refuse to
 * open with a message saying how to install it, instead of breaking the discovery of every other
 * provider.
 *
 * <p>Stateless and thread-safe: each opened image has a client of its own, closed with it.
 */
public final class GcsImageSource implements ImageSource {

    private static final int DEFAULT_CONCURRENCY = 4;

    /** Null for the default client (see {@link GcsClients#defaultStorage}). */
    private final GcsClients.StorageFactory storageFactory;

    public GcsImageSource() {
        this.storageFactory = null;
    }

    /** A source whose clients come from {@code storageFactory} (tests use Google's in-process fake). */
    GcsImageSource(GcsClients.StorageFactory storageFactory) {
        this.storageFactory = requireNonNull(storageFactory, "storageFactory");
    }

    @Override
    public String name() {
        return "gcs";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("gs");
    }

    @Override
    public PinnedImage open(URI location, Options options) throws IOException {
        requireNonNull(location, "location");
        requireNonNull(options, "options");
        int concurrency = options.getInt("gcs.concurrency", DEFAULT_CONCURRENCY, 1, 64);
        checkSetup();
        return GcsClients.open(location, options, storageFactory, concurrency);
    }

    /**
     * Reads the class path, where Google's client lives (its jars split packages, so they cannot be
     * modules), and turns a plugin installed without it into a clear error rather than a {@link
     * NoClassDefFoundError} from the first Google type used. The module adds the reads edge itself:
     * {@code --add-reads ...=ALL-UNNAMED} gives the same, but a JDK 25 AOT cache (the launcher's and the
     * initrd's startup cache) restores the boot layer without it.
     */
    private static void checkSetup() throws NoProviderException {
        Module self = GcsImageSource.class.getModule();
        ClassLoader loader = GcsImageSource.class.getClassLoader();
        self.addReads(loader.getUnnamedModule());
        try {
            Class.forName("com.google.cloud.storage.StorageOptions", false, loader);
        } catch (ClassNotFoundException e) {
            throw new NoProviderException("the gs:// source cannot find Google's storage client on the class path; install"
                    + " the plugin with `s3flash plugins add gcs` (the bootloader release: `release/build.sh --with gcs`),"
                    + " which puts Google's client jars there (see source-gcs/README.md)");
        }
    }
}
