package io.github.s3flash.api;

/**
 * What a flash of an indexed image did with each chunk of its manifest. Every chunk is counted once:
 * {@code written + identical + zero} is the manifest's chunk count.
 *
 * @param written chunks fetched, decoded, checked against the manifest and written
 * @param identical chunks the target already held (found by the delta check), neither fetched nor written
 * @param zero all-zero chunks: never fetched, handed to the sink's zero path, or left as they were when
 *     the delta check found them already zero
 */
public record ChunkCounts(int written, int identical, int zero) {

    public ChunkCounts {
        if (written < 0 || identical < 0 || zero < 0) {
            throw new IllegalArgumentException("negative chunk counts: " + written + ", " + identical + ", " + zero);
        }
    }

    public int total() {
        return written + identical + zero;
    }
}
