/**
 * Indexed images: one object that {@code lz4 -d} or {@code zstd -d} decodes to the disk image, made
 * of one independent frame per chunk and, in skippable frames at its end, a manifest (per chunk:
 * compressed offset and length, decoded SHA-256, zero flag), an optional OpenSSH signature and a
 * fixed-size footer that locates them. The format is specified in {@code docs/image-format.md}.
 *
 * <p>{@link io.github.s3flash.api.index.IndexedImageWriter} makes one from a stream; {@link
 * io.github.s3flash.api.index.IndexedImage} opens one with a read of its tail; {@link
 * io.github.s3flash.api.index.TrustPolicy} decides whether its manifest is trusted; {@link
 * io.github.s3flash.api.index.ChunkDecoder} decodes and checks one chunk.
 */
package io.github.s3flash.api.index;
