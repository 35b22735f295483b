package io.github.s3flash.source.s3;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.S3TestServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3Proxy on loopback with one bucket, an SDK client that uploads to it directly, and the
 * source options that point at it (or at a proxy in front of it). The source under test signs with
 * the credentials surefire puts in the system properties aws.accessKeyId/aws.secretAccessKey: the
 * default chain's first provider, as on a machine configured by properties.
 */
final class S3Fixture implements AutoCloseable {

    static final String BUCKET = "images";

    final S3TestServer server;
    final S3Client uploader;

    private S3Fixture(S3TestServer server) {
        this.server = server;
        this.uploader = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(server.endpoint())
                .forcePathStyle(true)
                .region(Region.of(S3TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3TestServer.ACCESS_KEY_ID, S3TestServer.SECRET_ACCESS_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    static S3Fixture start(Path dir) throws IOException {
        var server = S3TestServer.start(dir);
        try {
            server.createBucket(BUCKET);
            return new S3Fixture(server);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    URI put(String key, byte[] bytes) {
        uploader.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
        return uri(key);
    }

    static URI uri(String key) {
        return URI.create("s3://" + BUCKET + "/" + key);
    }

    /** Options that send the source to {@code endpoint} (the server, or a proxy in front of it). */
    static Options options(URI endpoint) {
        return Options.empty().with("s3.endpoint", endpoint.toString()).with("s3.region", S3TestServer.REGION);
    }

    Options options() {
        return options(server.endpoint());
    }

    @Override
    public void close() throws IOException {
        uploader.close();
        server.close();
    }
}
