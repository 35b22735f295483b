package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.Options;

/**
 * How {@link IndexedImageWriter} cuts and compresses an image.
 *
 * @param chunkSize decoded bytes per chunk: a power of two from 64 KiB to 64 MiB (default 4 MiB)
 * @param encodeOptions the codec's encode options ({@code level}, ...); the writer adds the content
 *     size of each frame itself
 * @param threads compression threads; 0 for one per available processor
 */
public record WriterSettings(int chunkSize, Options encodeOptions, int threads) {

    public static final int DEFAULT_CHUNK_SIZE = 4 << 20;

    public WriterSettings {
        requireNonNull(encodeOptions, "encodeOptions");
        if (Integer.bitCount(chunkSize) != 1 || chunkSize < 1 << IndexFormat.MIN_CHUNK_SHIFT
                || chunkSize > 1 << IndexFormat.MAX_CHUNK_SHIFT) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not valid: expected a power of two"
                    + " from 64 KiB to 64 MiB (64k, 128k, ..., 4m, ..., 64m)");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (one per processor) or more: " + threads);
        }
        if (encodeOptions.get(IndexedImageWriter.CONTENT_SIZE_OPTION).isPresent()) {
            throw new IllegalArgumentException("option " + IndexedImageWriter.CONTENT_SIZE_OPTION
                    + " is set by the writer for each chunk; leave it out");
        }
    }

    /** 4 MiB chunks, the codec's default level, one thread per processor. */
    public static WriterSettings defaults() {
        return new WriterSettings(DEFAULT_CHUNK_SIZE, Options.empty(), 0);
    }

    public WriterSettings withChunkSize(int size) {
        return new WriterSettings(size, encodeOptions, threads);
    }

    public WriterSettings withEncodeOptions(Options options) {
        return new WriterSettings(chunkSize, options, threads);
    }

    public WriterSettings withThreads(int count) {
        return new WriterSettings(chunkSize, encodeOptions, count);
    }

    /** The threads to use: {@link #threads}, or one per available processor. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
