package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
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
    void redactionHidesSignaturesAndPasswordsButKeepsTheObject() {
        assertThat(ImageLocations.redact(URI.create("https://b.s3.amazonaws.com/os.img?X-Amz-Signature=abc&X-Amz-Credential=k")))
                .isEqualTo("https://b.s3.amazonaws.com/os.img?…");
        assertThat(ImageLocations.redact(URI.create("https://user:secret@host:8443/a/b.img")))
                .isEqualTo("https://…@host:8443/a/b.img");
        assertThat(ImageLocations.redact(URI.create("s3://bucket/key.lz4"))).isEqualTo("s3://bucket/key.lz4");
        assertThat(ImageLocations.redact(URI.create("file:/tmp/x.img"))).isEqualTo("file:/tmp/x.img");
    }
}
