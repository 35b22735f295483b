package io.github.s3flash.bootloader;

import io.github.s3flash.testkit.S3TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 API server (S3Proxy on 127.0.0.1) for every test of a class: started with its buckets
 * before the first test, stopped and its store deleted after the last. The tests that run the CLI
 * against S3 share it, so each says only what it does with the server:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final S3Fixture s3 = new S3Fixture("images");
 * }</pre>
 */
final class S3Fixture implements BeforeAllCallback, AfterAllCallback {

    private final List<String> buckets;
    private Path store;
    private S3TestServer server;

    S3Fixture(String... buckets) {
        this.buckets = List.of(buckets);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        store = Files.createTempDirectory("s3flash-s3-");
        server = S3TestServer.start(store.resolve("s3"));
        for (String bucket : buckets) {
            server.createBucket(bucket);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            try (Stream<Path> files = Files.walk(store)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    S3TestServer server() {
        return server;
    }

    /**
     * The environment of a CLI process that reads this server: its credentials and region, no other
     * AWS configuration (no profile, no instance metadata), and its endpoint as the S3 endpoint.
     */
    Map<String, String> cliEnvironment() {
        var env = new HashMap<>(server.cliEnvironment());
        env.put("AWS_ENDPOINT_URL_S3", server.endpoint().toString());
        return env;
    }
}
