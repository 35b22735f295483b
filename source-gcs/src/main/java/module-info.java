/** The gs:// source. */
module io.github.s3flash.source.gcs {
    requires io.github.s3flash.api;
}
