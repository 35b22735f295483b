package io.github.s3flash.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where image bytes go: block devices, regular files, or anything a plugin can write at offsets.
 * Discovered with {@link java.util.ServiceLoader}. Sinks resolve like sources: the one sink that
 * {@link #accepts} a target writes it; when several accept it, option {@value
 * ProviderRegistry#SINK_PROVIDER_OPTION} names the one to use, and without it the flash is refused
 * naming them all.
 *
 * <p>Implementations are stateless and thread-safe; state lives in the {@link BlockTarget}.
 */
public interface BlockSink {

    /** A short unique name, shown by {@code s3flash providers} and given to option {@code sink.provider}. */
    String name();

    /**
     * Whether this sink can write {@code target}, judged without opening it for writing. Answer true
     * only for what this sink writes, so that it never shadows another sink: a block-device sink
     * accepts block devices, not every path.
     */
    boolean accepts(Path target);

    /**
     * Opens {@code target} for writing. Checks all it can (exists, writable, not in use) before
     * returning, so a refusal comes before anything is written.
     *
     * @throws TargetUnavailableException if the target is missing, busy or not writable
     */
    BlockTarget open(Path target, Options options) throws IOException;
}
