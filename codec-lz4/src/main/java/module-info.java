/** LZ4 codec (frame and legacy format). */
module io.github.s3flash.codec.lz4 {
    requires io.github.s3flash.api;
}
