package io.github.s3flash.api.index;

/**
 * Hears how far a pass over an image's chunks has got ({@link IndexedImageWriter} writing one, {@link
 * ImageVerifier} checking one), after each chunk in order. Called from the thread doing the pass; it
 * must be quick, and one that throws does not stop the pass.
 */
@FunctionalInterface
public interface ChunkProgress {

    ChunkProgress NONE = (imageBytes, objectBytes) -> {};

    /**
     * @param imageBytes image (decoded) bytes done so far
     * @param objectBytes bytes of the indexed image (compressed) done so far
     */
    void onProgress(long imageBytes, long objectBytes);

    /** {@code listener}, with what it throws logged and dropped, so it cannot stop a pass. */
    static ChunkProgress guarded(ChunkProgress listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        return (imageBytes, objectBytes) -> {
            try {
                listener.onProgress(imageBytes, objectBytes);
            } catch (RuntimeException e) {
                System.getLogger(ChunkProgress.class.getName()).log(System.Logger.Level.WARNING,
                        "progress listener failed at image byte " + imageBytes, e);
            }
        };
    }
}
