package io.github.s3flash.api;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

/**
 * Where image bytes come from: a provider for one or more URI schemes ({@code file}, {@code s3},
 * {@code https}, ...). Discovered with {@link java.util.ServiceLoader}.
 *
 * <p>Implementations are stateless and thread-safe; state lives in the {@link PinnedImage} that
 * {@link #open} returns.
 */
public interface ImageSource {

    /** A short unique name, shown by {@code s3flash providers} and used to pin a provider by option. */
    String name();

    /** The URI schemes this source reads, lower case. */
    Set<String> schemes();

    /**
     * Opens the image at {@code location} and pins it to its current version. Checks that it exists
     * and is readable, so that a flash fails here, before anything is written.
     *
     * @throws ImageNotFoundException if nothing is at {@code location}
     * @throws ImageAccessDeniedException if the credentials in use may not read it
     * @throws SourceUnavailableException on a transient fault (retryable)
     * @throws InvalidOptionException if an option of this source has a value it cannot use (read with
     *     the ranged getters of {@link Options}, before any request)
     */
    PinnedImage open(URI location, Options options) throws IOException;

    /**
     * Starts writing an object at {@code location}, for image tooling ({@code s3flash image create},
     * signatures beside images): invisible until committed, dropped when aborted or closed first. A
     * source that cannot write says so; that is the default.
     *
     * @throws NoProviderException if this source cannot publish
     */
    default PublishStream publish(URI location, Options options) throws IOException {
        throw new NoProviderException("source " + name() + " cannot publish objects, so nothing can be written to "
                + ImageLocations.redact(location) + "; write to a file, to '-' (stdout) or to s3://bucket/key and"
                + " upload it with the store's own tools");
    }
}
