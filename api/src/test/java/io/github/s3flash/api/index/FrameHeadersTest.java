package io.github.s3flash.api.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A zstd chunk frame is checked from its header before any decoder sees it: a header asking for a
 * window larger than the chunk size (a decoder would allocate it first, up to 2 GiB), naming a
 * dictionary, or recording another content size is refused. The real zstd codec's frames pass (see
 * ZstdIndexedImageTest); here the headers are written by hand, and the decoder handed to {@link
 * ChunkDecoder} fails the test if it is ever called.
 */
class FrameHeadersTest {

    private static final int CHUNK = 1 << 20;
    private static final Chunk CHUNK_0 = new Chunk(0, 0, CHUNK, 16, 100, false, new byte[32]);

    /** magic, descriptor (FCS 4 bytes, not single segment), window descriptor, content size. */
    private static byte[] header(int windowDescriptor, int dictionaryFlag, long contentSize) {
        byte[] h = new byte[10];
        IndexFormat.putIntLE(h, 0, 0xFD2FB528);
        h[4] = (byte) (0x80 | dictionaryFlag);
        h[5] = (byte) windowDescriptor;
        int at = 6;
        if (dictionaryFlag == 1) {
            h = java.util.Arrays.copyOf(h, 11);
            h[at++] = 7;
        }
        IndexFormat.putIntLE(h, at, (int) contentSize);
        return h;
    }

    @Test
    void windowsDictionariesAndContentSizesAreChecked() {
        // Window descriptor: exponent << 3 | mantissa; window = 2^(10+exponent) + mantissa/8 of it.
        assertThat(FrameHeaders.zstdProblem(header(10 << 3, 0, CHUNK), 10, CHUNK_0, CHUNK)).isNull();
        assertThat(FrameHeaders.zstdProblem(header(10 << 3 | 1, 0, CHUNK), 10, CHUNK_0, CHUNK))
                .isEqualTo("its zstd frame asks for a 1179648-byte window, more than the chunk size 1048576");
        assertThat(FrameHeaders.zstdProblem(header(21 << 3, 0, CHUNK), 10, CHUNK_0, CHUNK))
                .contains("asks for a 2147483648-byte window");
        assertThat(FrameHeaders.zstdProblem(header(10 << 3, 1, CHUNK), 11, CHUNK_0, CHUNK))
                .isEqualTo("its zstd frame names a dictionary, which chunk frames must not use");
        assertThat(FrameHeaders.zstdProblem(header(10 << 3, 0, CHUNK - 1), 10, CHUNK_0, CHUNK))
                .isEqualTo("its zstd frame records a content size of 1048575 bytes, not 1048576");
        assertThat(FrameHeaders.zstdProblem(new byte[] {4, 0x22, 0x4d, 0x18, 0x64, 0x70}, 6, CHUNK_0, CHUNK))
                .isEqualTo("its frame does not start with a Zstandard frame header");
        assertThat(FrameHeaders.zstdProblem(header(10 << 3, 0, CHUNK), 7, CHUNK_0, CHUNK))
                .isEqualTo("its zstd frame header is cut short");
    }

    @Test
    void aHostileHeaderIsRefusedBeforeTheDecoderIsCalled() throws Exception {
        byte[] records = new byte[IndexFormat.RECORD];
        Manifest.encodeRecord(records, 0, 16, 100, false, new byte[32]);
        Manifest manifest = Manifest.parse(Manifest.encode(IndexFormat.CODEC_ZSTD, 20, CHUNK, 116, records, 1), 0);
        var decoder = new ChunkDecoder(new NeverCalled(), manifest);
        byte[] frame = java.util.Arrays.copyOf(header(21 << 3, 0, CHUNK), 100);
        assertThatThrownBy(() -> decoder.decode(manifest.chunk(0), new ByteArrayInputStream(frame),
                ByteBuffer.allocate(CHUNK)))
                .isInstanceOf(ChunkMismatchException.class)
                .hasMessageContaining("chunk 0 (image bytes [0, 1048576), object bytes [16, 116)) is refused before"
                        + " decoding: its zstd frame asks for a 2147483648-byte window");
    }

    /** A codec named zstd whose decoder must never be reached. */
    private static final class NeverCalled implements Codec {
        @Override
        public String name() {
            return "zstd";
        }

        @Override
        public ProbeResult probe(ByteBuffer head) {
            return ProbeResult.NO;
        }

        @Override
        public InputStream decode(InputStream compressed) {
            throw new AssertionError("the decoder was called with a frame the header check must refuse");
        }

        @Override
        public OutputStream encode(OutputStream out, Options options) {
            throw new AssertionError("not used");
        }
    }
}
