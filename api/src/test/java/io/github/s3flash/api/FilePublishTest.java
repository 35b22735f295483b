package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing through the {@code file:} source: the file appears whole at commit (renamed from a
 * hidden partial file beside it), replaces an older one atomically, and an abort or a close without
 * commit leaves neither file nor partial file. Sources that cannot write say so.
 */
class FilePublishTest {

    @TempDir
    Path dir;

    private static ImageSource files() throws FlashException {
        return ProviderRegistry.load().source(URI.create("file:/x"), Options.empty());
    }

    private long entries() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.count();
        }
    }

    @Test
    void theFileAppearsWholeOnCommitAndReplacesTheOldOne() throws IOException {
        Path target = Files.writeString(dir.resolve("os.img.lz4"), "the old image");
        try (PublishStream out = files().publish(target.toUri(), Options.empty())) {
            out.write("the new ".getBytes());
            assertThat(Files.readString(target)).as("before commit").isEqualTo("the old image");
            assertThat(entries()).as("the partial file beside it").isEqualTo(2);
            out.write("image".getBytes());
            String version = out.commit();
            assertThat(version).endsWith(":" + "the new image".length() + ":" + Files.getLastModifiedTime(target).toInstant());
        }
        assertThat(Files.readString(target)).isEqualTo("the new image");
        assertThat(entries()).isEqualTo(1);
        Path plain = Files.createFile(dir.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(target)).as("the umask's mode, as any new file")
                .isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void anAbortOrACloseWithoutCommitLeavesNothing() throws IOException {
        Path target = dir.resolve("os.img.zst");
        try (PublishStream out = files().publish(target.toUri(), Options.empty())) {
            out.write(new byte[100_000]);
            out.abort();
            assertThatThrownBy(out::commit).isInstanceOf(IOException.class).hasMessageContaining("already aborted");
        }
        try (PublishStream out = files().publish(target.toUri(), Options.empty())) {
            out.write(new byte[100_000]);
        }
        assertThat(entries()).isZero();
    }

    @Test
    void aMissingDirectoryIsRefusedBeforeAnythingIsWritten() {
        Path target = dir.resolve("no/such/dir/os.img.lz4");
        assertThatThrownBy(() -> files().publish(target.toUri(), Options.empty()))
                .isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("directory " + dir.resolve("no/such/dir") + " does not exist");
    }

    @Test
    void aSourceThatCannotWriteSaysSo() {
        ImageSource readOnly = new ImageSource() {
            @Override
            public String name() {
                return "ftp";
            }

            @Override
            public java.util.Set<String> schemes() {
                return java.util.Set.of("ftp");
            }

            @Override
            public PinnedImage open(URI location, Options options) {
                throw new UnsupportedOperationException();
            }
        };
        assertThatThrownBy(() -> readOnly.publish(URI.create("ftp://host/os.img"), Options.empty()))
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining("source ftp cannot publish objects, so nothing can be written to ftp://host/os.img");
    }
}
