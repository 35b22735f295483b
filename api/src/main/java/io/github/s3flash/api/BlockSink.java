package io.github.s3flash.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where image bytes go: block devices, regular files, or anything a plugin can write at offsets.
 * Discovered with {@link java.util.ServiceLoader}; the first sink that {@link #accepts} a target
 * writes it.
 *
 * <p>Implementations are stateless and thread-safe; state lives in the {@link BlockTarget}.
 */
public interface BlockSink {

    /** A short unique name, shown by {@code s3flash providers}. */
    String name();

    /** Whether this sink can write {@code target}, judged without opening it for writing. */
    boolean accepts(Path target);

    /**
     * Opens {@code target} for writing. Checks all it can (exists, writable, not in use) before
     * returning, so a refusal comes before anything is written.
     *
     * @throws TargetUnavailableException if the target is missing, busy or not writable
     */
    BlockTarget open(Path target, Options options) throws IOException;
}
