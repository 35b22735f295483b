package io.github.s3flash.examples.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Publishing against a real S3 API server (S3Proxy on 127.0.0.1): the object is a multipart upload
 * that the stock {@code aws} and {@code lz4}/{@code zstd} CLIs read back into the original image,
 * and the reported SHA-256 is the image's.
 */
class ImagePublisherTest {

    @TempDir
    static Path dir;

    private static S3TestServer server;
    private static S3Client s3;

    @BeforeAll
    static void start() throws IOException {
        server = S3TestServer.start(dir.resolve("s3"));
        server.createBucket("images");
        s3 = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .endpointOverride(server.endpoint())
                .forcePathStyle(true)
                .region(Region.of(S3TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3TestServer.ACCESS_KEY_ID, S3TestServer.SECRET_ACCESS_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    @AfterAll
    static void stop() throws IOException {
        s3.close();
        server.close();
    }

    private static byte[] downloadAndDecode(String key, String... decoder) throws IOException, InterruptedException {
        Path object = dir.resolve(key.replace('/', '_'));
        server.aws("s3", "cp", "s3://images/" + key, object.toString());
        Process p = new ProcessBuilder(decoder).redirectInput(object.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", decoder)).isZero();
        return out;
    }

    @Test
    void publishesAMultipartObjectTheStockClisReadBack() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = new byte[17 << 20];
        System.arraycopy(TestImages.random(random, 12 << 20), 0, image, 0, 12 << 20);
        System.arraycopy(TestImages.diskLike(random, 5 << 20), 0, image, 12 << 20, 5 << 20);
        Path file = Files.write(dir.resolve("os.img"), image);
        var registry = ProviderRegistry.load();
        for (var codec : List.of("lz4", "zstd")) {
            var published = new ImagePublisher(s3).publish(file, "images", "os.img." + codec,
                    registry.codec(codec), Options.empty(), 5 << 20);
            assertThat(published.imageBytes()).isEqualTo(image.length);
            assertThat(published.sha256()).isEqualTo(TestImages.sha256(image));
            assertThat(published.parts()).as("an image larger than one part is uploaded in parts").isGreaterThan(1);
            byte[] decoded = downloadAndDecode("os.img." + codec, codec, "-d", "-c");
            assertThat(decoded).as(codec + ", " + Seeds.describe(seed)).isEqualTo(image);
        }
    }

    @Test
    void aMissingImageLeavesNoObjectBehind() throws IOException {
        var lz4 = ProviderRegistry.load().codec("lz4");
        assertThatThrownBy(() -> new ImagePublisher(s3).publish(dir.resolve("no-such.img"), "images", "missing.lz4",
                        lz4, Options.empty(), 5 << 20))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no-such.img");
        assertThat(server.aws("s3", "ls", "s3://images/")).doesNotContain("missing.lz4");
    }
}
