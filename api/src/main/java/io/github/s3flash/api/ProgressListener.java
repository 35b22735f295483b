package io.github.s3flash.api;

/**
 * Receives {@link ProgressEvent}s from a running flash. Called from pipeline threads, so it must be
 * thread-safe and quick; a listener that throws does not stop the flash.
 */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = event -> {};

    void onEvent(ProgressEvent event);
}
