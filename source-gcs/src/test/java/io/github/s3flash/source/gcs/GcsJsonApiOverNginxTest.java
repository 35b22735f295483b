package io.github.s3flash.source.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source with its <b>real</b> client stack (default client factory, the google-http-client
 * network transport, the trimmed dependency closure) against <b>a stand-in for GCS</b>: a real nginx
 * on 127.0.0.1 configured to answer the two JSON-API calls a flash makes, object metadata and
 * ranged media reads, for fixed objects. It enforces {@code ifGenerationMatch} on media reads as GCS
 * does (412), which Google's in-process fake does not. Not GCS: no IAM, no credentials (the source
 * runs with {@code gcs.anonymous=true} and a fixed project, so no metadata server or credential
 * lookup is ever attempted), no uploads.
 */
class GcsJsonApiOverNginxTest {

    private static final long LIVE_GENERATION = 100;

    @TempDir
    static Path dir;

    static NginxServer nginx;
    static byte[] image;

    @BeforeAll
    static void startStandIn() throws IOException {
        Path root = Files.createDirectories(dir.resolve("www"));
        image = TestImages.diskLike(new Random(41), 3 << 20);
        Files.write(root.resolve("image.img"), image);
        // "stale.img" reports an older generation than the live one: the object was replaced after
        // its metadata was read, so its reads must fail the precondition.
        metadata(root, "image.img", LIVE_GENERATION);
        metadata(root, "stale.img", LIVE_GENERATION - 1);
        var config = new StringBuilder();
        for (String name : new String[] {"image.img", "stale.img"}) {
            config.append("location = /storage/v1/b/bkt/o/").append(name).append(" {")
                    .append(" default_type application/json; alias ").append(root.resolve(name + ".json")).append("; }\n");
            config.append("location = /download/storage/v1/b/bkt/o/").append(name).append(" {")
                    .append(" if ($arg_ifGenerationMatch != \"").append(LIVE_GENERATION).append("\") { return 412; }")
                    .append(" add_header x-goog-generation ").append(LIVE_GENERATION).append(";")
                    .append(" alias ").append(root.resolve("image.img")).append("; }\n");
        }
        nginx = NginxServer.serving(root).serverConfig(config.toString()).start(dir.resolve("nginx"));
    }

    private static void metadata(Path root, String name, long generation) throws IOException {
        Files.writeString(root.resolve(name + ".json"), "{\"kind\":\"storage#object\",\"bucket\":\"bkt\",\"name\":\""
                + name + "\",\"generation\":\"" + generation + "\",\"metageneration\":\"1\",\"size\":\""
                + image.length + "\",\"contentType\":\"application/octet-stream\"}");
    }

    @AfterAll
    static void stop() throws IOException {
        nginx.close();
    }

    private static Options options() {
        return Options.of(Map.of("gcs.endpoint", "http://127.0.0.1:" + nginx.port(), "gcs.anonymous", "true",
                "gcs.project", "s3flash-test", "read.part-size", "300000", "read.concurrency", "3",
                "retry.base-delay", "1ms", "retry.max-delay", "5ms"));
    }

    @Test
    void readsTheObjectInParallelRangesThroughTheRealClient() throws IOException {
        try (PinnedImage image = new GcsImageSource().open(URI.create("gs://bkt/image.img"), options());
                InputStream in = ImageStreams.open(image, PipelineSettings.from(options()), ProgressListener.NONE)) {
            assertThat(image.info().version()).isEqualTo("generation " + LIVE_GENERATION);
            assertThat(image.info().length()).isEqualTo(GcsJsonApiOverNginxTest.image.length);
            assertThat(in.readAllBytes()).isEqualTo(GcsJsonApiOverNginxTest.image);
        }
        assertThat(nginx.accessLog()).anySatisfy(line -> assertThat(line)
                .contains("/download/storage/v1/b/bkt/o/image.img?", "ifGenerationMatch=" + LIVE_GENERATION, " 206 "));
    }

    @Test
    void aReplacedObjectFailsThePreconditionAndIsASourceChange() throws IOException {
        try (PinnedImage image = new GcsImageSource().open(URI.create("gs://bkt/stale.img"), options())) {
            assertThatThrownBy(() -> {
                try (InputStream in = image.openRange(0, 1000)) {
                    in.readAllBytes();
                }
            })
                    .isInstanceOf(SourceChangedException.class)
                    .hasMessageContaining("gs://bkt/stale.img was replaced or deleted during the flash")
                    .hasMessageContaining("generation " + (LIVE_GENERATION - 1) + " pinned");
        }
    }

    @Test
    void aMissingObjectIsNotFound() {
        assertThatThrownBy(() -> new GcsImageSource().open(URI.create("gs://bkt/absent.img"), options()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("gs://bkt/absent.img");
    }
}
