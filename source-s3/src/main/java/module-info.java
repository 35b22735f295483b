/** The s3:// source. */
module io.github.s3flash.source.s3 {
    requires io.github.s3flash.api;
}
