package io.github.s3flash.codec.lz4;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.IndexedImageWriter;
import io.github.s3flash.api.index.PositionalInput;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file mapped by the writer's threads that shrinks under them (another process truncating the
 * image while it is made): the kernel answers a read of a page past the new end with SIGBUS, which
 * the JDK turns into an InternalError for memory access through its buffers; the writer reports an
 * IOException naming the chunk's bytes and the likely cause, and the JVM lives on.
 */
class MappedInputShrinkTest {

    @TempDir
    Path dir;

    @Test
    void aMappedFileTruncatedWhileReadIsAnIOExceptionNamingTheRange() throws Exception {
        int chunk = 64 << 10;
        Path file = Files.write(dir.resolve("disk.img"), TestImages.random(new Random(7), 4 * chunk));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            var input = new ShrinkingInput(channel, file);
            // One thread: the first chunk is the first mapped, and its failure the one reported.
            var writer = new IndexedImageWriter(new Lz4Codec(), new WriterSettings(chunk, Options.empty(), 1));
            assertThatThrownBy(() -> writer.write(input, new ByteArrayOutputStream(), null, ChunkProgress.NONE))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("could not be read at bytes 0 to " + chunk)
                    .hasMessageContaining("truncated or changed while the image was made");
        }
    }

    /** Maps the chunk asked for, then truncates the file to nothing before handing the mapping out. */
    private static final class ShrinkingInput extends InputStream implements PositionalInput {
        private final FileChannel channel;
        private final Path file;
        private final long length;

        ShrinkingInput(FileChannel channel, Path file) throws IOException {
            this.channel = channel;
            this.file = file;
            this.length = channel.size();
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public synchronized ByteBuffer bytes(long offset, int n, Arena arena) throws IOException {
            ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, offset, n, arena).asByteBuffer();
            try (FileChannel writable = FileChannel.open(file, StandardOpenOption.WRITE)) {
                writable.truncate(0);
            }
            return mapped;
        }

        @Override
        public int read() {
            throw new AssertionError("read as a stream");
        }
    }
}
