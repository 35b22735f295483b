/**
 * The {@code http://} and {@code https://} source, on the JDK's own HTTP client: ranged reads pinned
 * to the object's ETag (or Last-Modified), redirects, a custom CA bundle and extra request headers.
 * Exports nothing: it is found as an {@link io.github.s3flash.api.ImageSource} service.
 */
module io.github.s3flash.source.http {
    requires io.github.s3flash.api;
    requires java.net.http;

    provides io.github.s3flash.api.ImageSource with io.github.s3flash.source.http.HttpImageSource;
}
