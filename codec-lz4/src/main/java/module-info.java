/**
 * The {@code lz4} codec: the LZ4 frame format in every variant the {@code lz4} CLI writes (block
 * sizes 64 KiB to 4 MiB, linked blocks, block and content checksums, content size, concatenated and
 * skippable frames) and the legacy format ({@code lz4 -l}). Blocks are decoded by lz4-java's
 * bounds-checked native decompressor. Exports nothing: it is found as a {@link
 * io.github.s3flash.api.Codec} service.
 */
@SuppressWarnings("module") // "lz4" ends in a digit; the name follows the folder = module rule.
module io.github.s3flash.codec.lz4 {
    requires io.github.s3flash.api;
    requires org.lz4.java;

    provides io.github.s3flash.api.Codec with io.github.s3flash.codec.lz4.Lz4Codec;
}
