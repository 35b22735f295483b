/** Image tooling with the s3flash library: compress a disk image and publish it to S3. */
module io.github.s3flash.examples.publish {
    requires io.github.s3flash.api;
    requires software.amazon.awssdk.services.s3;
    requires software.amazon.awssdk.core;
    requires software.amazon.awssdk.regions;
    requires software.amazon.awssdk.auth;
    requires software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.http.urlconnection;
    requires software.amazon.awssdk.http;

    exports io.github.s3flash.examples.publish;
}
