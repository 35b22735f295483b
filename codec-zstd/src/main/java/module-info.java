/** Zstandard codec. */
module io.github.s3flash.codec.zstd {
    requires io.github.s3flash.api;
}
