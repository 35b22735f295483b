package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.SourceChangedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in {@code file:} source, found through ServiceLoader, against the source contract. */
class FileImageSourceContractTest extends ImageSourceContract {

    @TempDir
    Path dir;

    @Override
    protected ImageSource source() {
        try {
            return ProviderRegistry.load().source(URI.create("file:/any"), Options.empty());
        } catch (FlashException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected URI store(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes).toUri();
    }

    /** A new file renamed over the old one, as publishers do: a new inode and modification time. */
    @Override
    protected void replace(String name, URI uri, byte[] bytes) throws IOException {
        Path temp = Files.write(dir.resolve(name + ".new"), bytes);
        Files.setLastModifiedTime(temp, FileTime.from(Instant.now().plusSeconds(5)));
        Files.move(temp, Path.of(uri), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    protected URI missing() {
        return dir.resolve("no-such-image.img").toUri();
    }

    @Test
    void aFileChangedWhileBeingReadFailsAtTheEndOfTheRange() throws IOException {
        URI uri = store("pinned-read", new byte[50_000]);
        try (PinnedImage image = source().open(uri, options()); InputStream in = image.openRange(0, -1)) {
            in.readNBytes(10_000);
            Files.setLastModifiedTime(Path.of(uri), FileTime.from(Instant.now().plusSeconds(5)));
            assertThatThrownBy(in::readAllBytes).isInstanceOf(SourceChangedException.class);
        }
    }

    @Test
    void aDirectoryIsNotAnImage() {
        assertThatThrownBy(() -> source().open(dir.toUri(), options()))
                .hasMessageContaining("is not a regular file");
    }

    @Test
    void pinnedLengthAndVersionAreReported() throws IOException {
        URI uri = store("info", new byte[1234]);
        try (PinnedImage image = source().open(uri, options())) {
            assertThat(image.info().length()).isEqualTo(1234);
            assertThat(image.info().rangeReads()).isTrue();
            assertThat(image.info().version()).contains("1234");
        }
    }
}
