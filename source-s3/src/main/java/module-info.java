/**
 * The {@code s3://bucket/key} source: the default source of a boot. Reads with the AWS SDK for Java
 * v2 (its S3 client and the JDK-based url-connection HTTP client: automatic modules), pinned to one
 * object version, in parallel ranged GETs resumed by the api after a fault. Exports nothing: it is
 * found as an {@link io.github.s3flash.api.ImageSource} service, as a third-party source would be.
 */
@SuppressWarnings("module") // "s3" ends in a digit; the name follows the folder = module rule.
module io.github.s3flash.source.s3 {
    requires io.github.s3flash.api;
    requires software.amazon.awssdk.services.s3;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.auth;
    requires software.amazon.awssdk.identity.spi;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.retries.api;
    requires software.amazon.awssdk.http;
    // The SDK's jars are automatic modules and cannot declare that they log through SLF4J: requiring
    // it here resolves it on the module path (and binds slf4j-nop, its quiet provider).
    requires org.slf4j;

    provides io.github.s3flash.api.ImageSource with io.github.s3flash.source.s3.S3ImageSource;
}
