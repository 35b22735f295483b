package io.github.s3flash.api.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** A detached signature sits beside its image: the same location, {@code .sshsig} appended to the path. */
class DetachedSignatureLocationTest {

    private static String of(String image) {
        return IndexedImage.detachedSignatureLocation(URI.create(image)).toString();
    }

    @Test
    void theSuffixGoesOnThePathBeforeAnyQuery() {
        assertThat(of("s3://images/os/disk.img.lz4")).isEqualTo("s3://images/os/disk.img.lz4.sshsig");
        assertThat(of("file:///srv/images/disk.img.zst")).isEqualTo("file:///srv/images/disk.img.zst.sshsig");
        assertThat(of("file:/srv/disk.img")).isEqualTo("file:/srv/disk.img.sshsig");
        assertThat(of("https://cdn.example.com/a%20b/disk.img?versionId=3#x"))
                .isEqualTo("https://cdn.example.com/a%20b/disk.img.sshsig?versionId=3#x");
        assertThat(of("gs://bucket/disk.img")).isEqualTo("gs://bucket/disk.img.sshsig");
    }
}
