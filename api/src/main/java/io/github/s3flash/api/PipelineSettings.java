package io.github.s3flash.api;

/**
 * The pipeline's own tunables, read from {@link Options}. Memory used for image data is bounded by
 * {@code chunkSize × buffers + partSize × (concurrency + 1)}, whatever the image size.
 *
 * @param chunkSize decoded bytes per chunk handed to the hash and write stages ({@code chunk-size},
 *     default 4 MiB; a multiple of 4096)
 * @param buffers chunks in flight between decode, hash and write ({@code buffers}, default 6)
 * @param partSize bytes per ranged read ({@code read.part-size}; 0, the default, takes the source's
 *     suggestion, else {@value #DEFAULT_PART_SIZE})
 * @param concurrency ranged reads at once ({@code read.concurrency}; 0, the default, takes the
 *     source's suggestion)
 * @param retry how failed reads are retried ({@code retry.*})
 */
public record PipelineSettings(int chunkSize, int buffers, int partSize, int concurrency, RetryPolicy retry) {

    public static final int ALIGNMENT = 4096;
    public static final int DEFAULT_PART_SIZE = 8 << 20;

    public PipelineSettings {
        if (chunkSize < ALIGNMENT || chunkSize % ALIGNMENT != 0) {
            throw new IllegalArgumentException("chunk-size must be a positive multiple of 4096: " + chunkSize);
        }
        if (buffers < 2) {
            throw new IllegalArgumentException("buffers must be >= 2: " + buffers);
        }
        if (partSize < 0) {
            throw new IllegalArgumentException("read.part-size must be >= 1: " + partSize);
        }
        if (concurrency < 0 || concurrency > 256) {
            throw new IllegalArgumentException("read.concurrency must be 0 (source default) to 256: " + concurrency);
        }
    }

    /** The part size for {@code image}: the option's, else the source's suggestion, else the default. */
    public int partSizeFor(ImageInfo image) {
        if (partSize > 0) {
            return partSize;
        }
        return image.suggestedPartSize() > 0 ? image.suggestedPartSize() : DEFAULT_PART_SIZE;
    }

    /**
     * Reads {@code chunk-size} (4 KiB to 1 GiB, a multiple of 4096), {@code buffers} (2 to 1024),
     * {@code read.part-size} (up to 1 GiB), {@code read.concurrency} (0 to 256) and the {@link
     * RetryPolicy#from retry options}.
     */
    public static PipelineSettings from(Options options) throws InvalidOptionException {
        long chunkSize = options.getSize("chunk-size", 4L << 20, ALIGNMENT, 1L << 30);
        if (chunkSize % ALIGNMENT != 0) {
            throw Options.invalid("chunk-size", options.get("chunk-size", ""), "a multiple of 4096 such as 4m");
        }
        return new PipelineSettings(
                (int) chunkSize,
                options.getInt("buffers", 6, 2, 1024),
                (int) options.getSize("read.part-size", 0, 0, 1L << 30),
                options.getInt("read.concurrency", 0, 0, 256),
                RetryPolicy.from(options));
    }
}
