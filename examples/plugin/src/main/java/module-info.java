/** A third-party s3flash plugin: gzip images, decoded with Apache Commons Compress. */
module com.example.s3flash.gzip {
    requires io.github.s3flash.api;
    requires org.apache.commons.compress;

    provides io.github.s3flash.api.Codec with com.example.s3flash.gzip.GzipCodec;
}
