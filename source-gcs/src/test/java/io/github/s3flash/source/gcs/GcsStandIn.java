package io.github.s3flash.source.gcs;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.NginxServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * <b>A stand-in for GCS, not GCS</b>: a real nginx on 127.0.0.1 that answers the two JSON-API calls
 * a flash makes, object metadata and ranged media downloads, for objects of one bucket ({@value
 * #BUCKET}) that the test stores and replaces, each store giving the object a new generation. A
 * media download is served only when its {@code ifGenerationMatch} names the live generation (412
 * otherwise, as GCS answers) and names that generation in {@code x-goog-generation}. No GCS
 * emulator can run here; this one lets the source run with its default client (real network
 * transport, {@code gcs.anonymous=true}, a fixed project, so no credential or metadata-server
 * lookup). Not covered: IAM, credentials, uploads, throttling.
 *
 * <p>Files: {@code data/NAME} the live bytes, {@code meta/NAME.json} the metadata, and an empty
 * {@code live/NAME/GENERATION}, whose presence nginx checks for the precondition.
 */
final class GcsStandIn implements AutoCloseable {

    static final String BUCKET = "bkt";

    private final Path root;
    private final NginxServer nginx;
    private final AtomicLong generations = new AtomicLong(1000);

    private GcsStandIn(Path root, NginxServer nginx) {
        this.root = root;
        this.nginx = nginx;
    }

    /** Starts nginx in {@code dir}; {@code extraConfig} adds (exact-match) locations that take precedence. */
    static GcsStandIn start(Path dir, String extraConfig) throws IOException {
        Path root = Files.createDirectories(dir.resolve("www"));
        for (String sub : new String[] {"data", "meta", "live"}) {
            Files.createDirectories(root.resolve(sub));
        }
        String config = "location ~ ^/storage/v1/b/" + BUCKET + "/o/(?<obj>[^/]+)$ { default_type application/json;"
                + " alias " + root.resolve("meta") + "/$obj.json; }\n"
                + "location ~ ^/download/storage/v1/b/" + BUCKET + "/o/(?<obj>[^/]+)$ {"
                + " if (!-f " + root.resolve("live") + "/$obj/$arg_ifGenerationMatch) { return 412; }"
                // Served only when the precondition named the live generation, so it is that one.
                + " add_header x-goog-generation $arg_ifGenerationMatch;"
                + " alias " + root.resolve("data") + "/$obj; }\n"
                + extraConfig;
        return new GcsStandIn(root, NginxServer.serving(root).serverConfig(config).start(dir.resolve("nginx")));
    }

    /**
     * Stores {@code bytes} as {@code name} under a new generation, as GCS replaces an object: reads
     * of the old generation are refused from the moment the new bytes may be served.
     */
    URI put(String name, byte[] bytes) throws IOException {
        long generation = generations.incrementAndGet();
        Path live = Files.createDirectories(root.resolve("live").resolve(name));
        try (Stream<Path> old = Files.list(live)) {
            for (Path marker : old.toList()) {
                Files.delete(marker);
            }
        }
        Path temp = Files.write(root.resolve("data").resolve(name + ".new"), bytes);
        Files.move(temp, root.resolve("data").resolve(name), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(root.resolve("meta").resolve(name + ".json"), "{\"kind\":\"storage#object\",\"bucket\":\""
                + BUCKET + "\",\"name\":\"" + name + "\",\"generation\":\"" + generation
                + "\",\"metageneration\":\"1\",\"size\":\"" + bytes.length
                + "\",\"contentType\":\"application/octet-stream\"}");
        Files.createFile(live.resolve(Long.toString(generation)));
        return uri(name);
    }

    static URI uri(String name) {
        return URI.create("gs://" + BUCKET + "/" + name);
    }

    /** Where the live bytes of {@code name} are, for extra locations that serve them differently. */
    Path data(String name) {
        return root.resolve("data").resolve(name);
    }

    NginxServer nginx() {
        return nginx;
    }

    /** The source's options for this stand-in, with fast retries. */
    Options options() {
        return Options.of(Map.of("gcs.endpoint", "http://127.0.0.1:" + nginx.port(), "gcs.anonymous", "true",
                "gcs.project", "s3flash-test", "retry.base-delay", "1ms", "retry.max-delay", "5ms"));
    }

    @Override
    public void close() throws IOException {
        nginx.close();
    }
}
