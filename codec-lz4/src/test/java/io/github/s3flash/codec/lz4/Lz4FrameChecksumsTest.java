package io.github.s3flash.codec.lz4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code frame-checksums=skip} (the indexed flash's decode option, which checks every chunk's
 * SHA-256 instead): a frame from the real CLI whose content or block checksum bytes are wrong fails
 * by default and decodes to the very image with the option, since only the checksums were spared;
 * the option's other value is the default, and anything else is refused by name.
 */
class Lz4FrameChecksumsTest {

    private static final Codec CODEC = new Lz4Codec();
    private static final Options SKIP = Options.empty().with(Codec.FRAME_CHECKSUMS, "skip");

    @TempDir
    Path dir;

    private byte[] cli(byte[] image, String... flags) throws IOException, InterruptedException {
        Path raw = Files.write(dir.resolve("image.raw"), image);
        Path out = dir.resolve("image.lz4");
        var command = new java.util.ArrayList<>(List.of("lz4", "-q", "-c"));
        command.addAll(List.of(flags));
        Cli.run(command, raw, out);
        return Files.readAllBytes(out);
    }

    private static byte[] decode(byte[] compressed, Options options) throws IOException {
        try (InputStream in = CODEC.decode(new ByteArrayInputStream(compressed), options)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aWrongContentChecksumIsReadButNotComputedWhenSkipped() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 200_000 + new Random(seed).nextInt(100_000));
        byte[] compressed = cli(image, "-B4");
        // The frame ends with its end mark (4 zero bytes) and the content checksum (4 bytes).
        compressed[compressed.length - 1 - new Random(seed).nextInt(4)] ^= 0x5A;
        assertThatThrownBy(() -> decode(compressed, Options.empty())).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("content checksum");
        assertThatThrownBy(() -> decode(compressed, Options.empty().with(Codec.FRAME_CHECKSUMS, "verify")))
                .isInstanceOf(CorruptImageException.class).hasMessageContaining("content checksum");
        assertThat(decode(compressed, SKIP)).as(Seeds.describe(seed)).isEqualTo(image);
    }

    @Test
    void aWrongBlockChecksumIsReadButNotComputedWhenSkipped() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 100_000);
        // One block of 64 KiB blocks and more, each followed by its checksum; no content checksum.
        byte[] compressed = cli(image, "-B4", "-BX", "--no-frame-crc");
        int header = 7; // magic, FLG, BD, HC: no content size
        int firstBlock = (compressed[header] & 0xFF) | (compressed[header + 1] & 0xFF) << 8
                | (compressed[header + 2] & 0xFF) << 16 | (compressed[header + 3] & 0x7F) << 24;
        compressed[header + 4 + firstBlock] ^= 0x01;
        assertThatThrownBy(() -> decode(compressed, Options.empty())).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("block checksum");
        assertThat(decode(compressed, SKIP)).as(Seeds.describe(seed)).isEqualTo(image);
    }

    @Test
    void anUnknownValueIsRefusedByName() {
        assertThatThrownBy(() -> CODEC.decode(new ByteArrayInputStream(new byte[0]),
                Options.empty().with(Codec.FRAME_CHECKSUMS, "never")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frame-checksums=never").hasMessageContaining("verify or skip");
    }
}
