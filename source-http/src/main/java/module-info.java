/** The http(s):// source. */
module io.github.s3flash.source.http {
    requires io.github.s3flash.api;
}
