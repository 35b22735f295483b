package io.github.s3flash.api.index;

/**
 * Hears how far {@link IndexedImageWriter} has got, after each chunk is written out. Called from the
 * writing thread; it must be quick, and one that throws does not stop the writer.
 */
@FunctionalInterface
public interface WriteProgress {

    WriteProgress NONE = (imageBytes, objectBytes) -> {};

    /**
     * @param imageBytes image bytes read and written out so far
     * @param objectBytes bytes of the indexed image written so far
     */
    void onProgress(long imageBytes, long objectBytes);
}
