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
import io.github.s3flash.api.SourceUnusableException;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source with its <b>real</b> client stack (default client factory, the google-http-client
 * network transport, the trimmed dependency closure) against <b>a stand-in for GCS</b> ({@link
 * GcsStandIn}, nginx), including two objects served as a server that ignores {@code
 * ifGenerationMatch} would serve them: one naming another generation in {@code x-goog-generation},
 * one naming none.
 */
class GcsJsonApiOverNginxTest {

    @TempDir
    static Path dir;

    static GcsStandIn gcs;

    @BeforeAll
    static void start() throws IOException {
        // Exact-match locations win over the stand-in's own: these ignore the precondition.
        Path data = dir.resolve("www").resolve("data");
        gcs = GcsStandIn.start(dir, "location = /download/storage/v1/b/" + GcsStandIn.BUCKET + "/o/other.img {"
                + " add_header x-goog-generation 999999; alias " + data.resolve("other.img") + "; }\n"
                + "location = /download/storage/v1/b/" + GcsStandIn.BUCKET + "/o/unmarked.img {"
                + " alias " + data.resolve("unmarked.img") + "; }\n");
    }

    @AfterAll
    static void stop() throws IOException {
        gcs.close();
    }

    private static Options options() {
        return gcs.options().with("read.part-size", "300000").with("read.concurrency", "3");
    }

    @Test
    void readsTheObjectInParallelRangesThroughTheRealClient() throws IOException {
        byte[] bytes = TestImages.diskLike(new Random(41), 3 << 20);
        URI uri = gcs.put("image.img", bytes);
        try (PinnedImage image = new GcsImageSource().open(uri, options());
                InputStream in = ImageStreams.open(image, PipelineSettings.from(options()), ProgressListener.NONE)) {
            assertThat(image.info().version()).startsWith("generation ");
            assertThat(image.info().length()).isEqualTo(bytes.length);
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(gcs.nginx().accessLog()).anySatisfy(line -> assertThat(line)
                .contains("/download/storage/v1/b/bkt/o/image.img?", "ifGenerationMatch=", " 206 "));
    }

    @Test
    void aReplacedObjectFailsThePreconditionAndIsASourceChange() throws IOException {
        URI uri = gcs.put("stale.img", new byte[100_000]);
        try (PinnedImage image = new GcsImageSource().open(uri, options())) {
            gcs.put("stale.img", new byte[100_000]);
            assertThatThrownBy(() -> readFirstKilobyte(image))
                    .isInstanceOf(SourceChangedException.class)
                    .hasMessageContaining("gs://bkt/stale.img")
                    .hasMessageContaining(image.info().version() + " pinned")
                    .hasMessageContaining("answered 412");
        }
    }

    @Test
    void aServerThatIgnoresThePreconditionCannotServeAnotherGeneration() throws IOException {
        URI uri = gcs.put("other.img", TestImages.random(new Random(42), 100_000));
        try (PinnedImage image = new GcsImageSource().open(uri, options())) {
            assertThatThrownBy(() -> readFirstKilobyte(image))
                    .isInstanceOf(SourceChangedException.class)
                    .hasMessageContaining("answered generation 999999 to a read of generation");
        }
    }

    @Test
    void anAnswerThatNamesNoGenerationIsRefusedRatherThanTrusted() throws IOException {
        URI uri = gcs.put("unmarked.img", TestImages.random(new Random(43), 100_000));
        try (PinnedImage image = new GcsImageSource().open(uri, options())) {
            assertThatThrownBy(() -> readFirstKilobyte(image))
                    .isInstanceOf(SourceUnusableException.class)
                    .hasMessageContaining("without x-goog-generation");
        }
    }

    private static void readFirstKilobyte(PinnedImage image) throws IOException {
        try (InputStream in = image.openRange(0, 1000)) {
            in.readAllBytes();
        }
    }

    @Test
    void aMissingObjectIsNotFound() {
        assertThatThrownBy(() -> new GcsImageSource().open(URI.create("gs://bkt/absent.img"), options()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("gs://bkt/absent.img");
    }
}
