package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageLocationsTest {

    @Test
    void urisKeepTheirSchemeAndPathsBecomeAbsoluteFileUris() {
        assertThat(ImageLocations.parse("s3://bucket/dir/os.img.lz4")).isEqualTo(URI.create("s3://bucket/dir/os.img.lz4"));
        assertThat(ImageLocations.parse("https://h/x?y=1")).isEqualTo(URI.create("https://h/x?y=1"));
        URI relative = ImageLocations.parse("images/os.img");
        assertThat(relative.getScheme()).isEqualTo("file");
        assertThat(Path.of(relative)).isEqualTo(Path.of("images/os.img").toAbsolutePath());
        assertThat(Path.of(ImageLocations.parse("/tmp/a b.img"))).isEqualTo(Path.of("/tmp/a b.img"));
    }

    @Test
    void emptyOrMalformedSourcesAreRefusedClearly() {
        assertThatThrownBy(() -> ImageLocations.parse(" ")).hasMessageContaining("source is empty");
        assertThatThrownBy(() -> ImageLocations.parse("s3://bucket/has space"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid URI");
    }

    @Test
    void aMalformedSourceIsRefusedWithoutQuotingItsSecrets() {
        for (String bad : List.of("https://user:hunter2@host/has space?X-Amz-Signature=sig0123",
                "https://host/x y?X-Amz-Signature=sig0123&token=hunter2", "https://us er:hunter2@h/x")) {
            assertThatThrownBy(() -> ImageLocations.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a valid URI")
                    .hasMessageNotContaining("hunter2")
                    .hasMessageNotContaining("sig0123")
                    .satisfies(e -> {
                        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                            assertThat(String.valueOf(c.getMessage())).doesNotContain("hunter2", "sig0123");
                        }
                    });
        }
    }

    @Test
    void redactionHidesSignaturesAndPasswordsButKeepsTheObject() {
        assertThat(ImageLocations.redact(URI.create("https://b.s3.amazonaws.com/os.img?X-Amz-Signature=abc&X-Amz-Credential=k")))
                .isEqualTo("https://b.s3.amazonaws.com/os.img?…");
        assertThat(ImageLocations.redact(URI.create("https://user:secret@host:8443/a/b.img")))
                .isEqualTo("https://…@host:8443/a/b.img");
        assertThat(ImageLocations.redact(URI.create("s3://bucket/key.lz4"))).isEqualTo("s3://bucket/key.lz4");
        assertThat(ImageLocations.redact(URI.create("file:/tmp/x.img"))).isEqualTo("file:/tmp/x.img");
        assertThat(ImageLocations.redact(URI.create("file:///tmp/a@b.img"))).isEqualTo("file:///tmp/a@b.img");
        assertThat(ImageLocations.redact(URI.create("https://h/x.img#token=abc"))).isEqualTo("https://h/x.img#…");
    }

    /** Java parses these as registry-based or opaque URIs, without user info: they must be redacted all the same. */
    @Test
    void oddAuthoritiesAndOpaqueUrisAreRedactedToo() {
        URI odd = URI.create("https://u:p@ss@h/x");
        assertThat(odd.getRawUserInfo()).as("not parsed as user info by the JDK").isNull();
        assertThat(ImageLocations.redact(odd)).isEqualTo("https://…@h/x");
        assertThat(ImageLocations.redact(URI.create("https:u:p@ss@h/x?sig=1"))).isEqualTo("https:…@h/x?…");
        assertThat(ImageLocations.redact(URI.create("s3://key:secret@bucket/k"))).isEqualTo("s3://…@bucket/k");
        assertThat(ImageLocations.redact("https://u:p@h/has space?X-Amz-Signature=1")).isEqualTo("https://…@h/has space?…");
        assertThat(ImageLocations.redact("/local/path@x")).isEqualTo("/local/path@x");
        assertThat(ImageLocations.redact((URI) null)).isEqualTo("null");
    }

    @Test
    void recordsThatCarryALocationPrintItRedacted() {
        URI secret = URI.create("https://u:hunter2@h/x?X-Amz-Signature=sig0123");
        var info = new ImageInfo(secret, 10, "etag", true, 1);
        var geometry = new TargetGeometry(4096, 512, 4096);
        var result = new FlashResult(secret, "v", "raw", Path.of("/t"), geometry, 1, 1, 0, java.time.Duration.ZERO,
                "00", List.of());
        for (Object shown : List.of(info, new ProgressEvent.Started(info, "raw", Path.of("/t"), geometry, 10), result,
                new ProgressEvent.Finished(result))) {
            assertThat(shown.toString()).contains("https://…@h/x?…").doesNotContain("hunter2", "sig0123");
        }
    }
}
