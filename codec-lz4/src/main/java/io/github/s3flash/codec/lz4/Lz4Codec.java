package io.github.s3flash.codec.lz4;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The {@code lz4} codec: decodes everything the {@code lz4} CLI writes (frame format in all its
 * variants, concatenated and skippable frames, legacy format) and encodes LZ4 frames that {@code
 * lz4 -d} reads. Blocks are decoded by lz4-java's native, bounds-checked ("safe") decompressor;
 * linked blocks ({@code lz4 -BD}) by a bounds-checked Java decoder, since lz4-java takes no
 * dictionary.
 *
 * <p>Encode options: {@code level} (1 to 12, default 1 like the CLI; 3 and up use LZ4 HC), {@code
 * block-size} (64k, 256k, 1m or 4m, default 4m like the CLI), {@code block-checksum} (default false),
 * {@code content-checksum} (default true) and {@code content-size} (the exact number of bytes that
 * will be written: recorded in the frame header, as {@code lz4 --content-size} does, and checked on
 * close; indexed images record it in every chunk's frame). Blocks are independent.
 *
 * <p>Probe: certain on an LZ4 frame or legacy magic number. Skippable frames (0x184D2A50 to
 * 0x184D2A5F) belong to LZ4 and Zstandard alike, so a leading skippable frame alone decides nothing:
 * the probe looks past skippable frames inside the head and is certain only when the first frame
 * after them is LZ4's; when that frame lies beyond the head the answer is {@link
 * ProbeResult#POSSIBLY} (then {@code --codec} chooses).
 *
 * <p>Stateless and thread-safe.
 */
public final class Lz4Codec implements Codec {

    private static final int DEFAULT_BLOCK_SIZE_ID = 7;

    @Override
    public String name() {
        return "lz4";
    }

    @Override
    public ProbeResult probe(ByteBuffer head) {
        requireNonNull(head, "head");
        int at = Lz4Format.firstDataFrame(head);
        if (at < 0) {
            return head.remaining() >= 4 ? ProbeResult.POSSIBLY : ProbeResult.NO;
        }
        ByteBuffer h = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int magic = h.getInt(h.position() + at);
        if (magic == Lz4Format.LEGACY_MAGIC) {
            return ProbeResult.CERTAINLY;
        }
        if (magic != Lz4Format.FRAME_MAGIC) {
            return ProbeResult.NO;
        }
        if (at + 4 < h.remaining()
                && (h.get(h.position() + at + 4) & Lz4Format.FLG_VERSION_MASK) != Lz4Format.FLG_VERSION) {
            return ProbeResult.NO;
        }
        return ProbeResult.CERTAINLY;
    }

    @Override
    public InputStream decode(InputStream compressed) {
        requireNonNull(compressed, "compressed");
        return new Lz4FrameInputStream(compressed, Holder.LZ4.safeDecompressor(), Holder.XXHASH);
    }

    /** Honours {@code frame-checksums=skip}: block and content checksums are read, not computed. */
    @Override
    public InputStream decode(InputStream compressed, Options options) {
        requireNonNull(compressed, "compressed");
        requireNonNull(options, "options");
        return new Lz4FrameInputStream(compressed, Holder.LZ4.safeDecompressor(), Holder.XXHASH,
                Codec.verifyFrameChecksums(options));
    }

    @Override
    public OutputStream encode(OutputStream out, Options options) throws IOException {
        requireNonNull(out, "out");
        requireNonNull(options, "options");
        int level = options.getInt("level", 1);
        if (level < 1 || level > 12) {
            throw new IllegalArgumentException("option level=" + level + " is not valid: expected 1 to 12");
        }
        long blockSize = options.getSize("block-size", Lz4Format.blockMaxSize(DEFAULT_BLOCK_SIZE_ID));
        int id = Lz4Format.blockSizeId(blockSize);
        if (id < 0) {
            throw new IllegalArgumentException("option block-size=" + options.get("block-size").orElse("")
                    + " is not valid: expected 64k, 256k, 1m or 4m");
        }
        long contentSize = options.getLong("content-size", -1);
        if (contentSize < -1) {
            throw new IllegalArgumentException("option content-size=" + contentSize
                    + " is not valid: expected the frame's decoded size in bytes");
        }
        // As the lz4 CLI: levels 1 and 2 are the fast compressor, 3 to 12 are LZ4 HC at that level.
        LZ4Compressor compressor = level < 3 ? Holder.LZ4.fastCompressor() : Holder.LZ4.highCompressor(level);
        return new Lz4FrameOutputStream(out, compressor, Holder.XXHASH, id,
                options.getBoolean("block-checksum", false), options.getBoolean("content-checksum", true), contentSize);
    }

    /**
     * The content size of the first LZ4 frame, when it records one ({@code lz4 --content-size}). The
     * CLI writes one frame per input, so that is the image's size; an image made by concatenating
     * several frames that each record a size would be misreported, and the flash then fails at its
     * end (the pipeline compares the decoded length with this claim).
     */
    @Override
    public OptionalLong decodedLength(ByteBuffer head, long compressedLength) {
        requireNonNull(head, "head");
        ByteBuffer h = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = h.position();
        if (h.remaining() < 15 || h.getInt(p) != Lz4Format.FRAME_MAGIC) {
            return OptionalLong.empty();
        }
        int flg = h.get(p + 4) & 0xFF;
        if ((flg & Lz4Format.FLG_VERSION_MASK) != Lz4Format.FLG_VERSION || (flg & Lz4Format.FLG_CONTENT_SIZE) == 0
                || (flg & Lz4Format.FLG_DICT_ID) != 0) {
            return OptionalLong.empty();
        }
        // Trust the size only when the header checksum over FLG, BD and the size matches.
        byte[] descriptor = new byte[10];
        h.get(p + 4, descriptor);
        int checksum = (Holder.XXHASH.hash32().hash(descriptor, 0, descriptor.length, 0) >>> 8) & 0xFF;
        long size = h.getLong(p + 6);
        return size >= 0 && checksum == (h.get(p + 14) & 0xFF) ? OptionalLong.of(size) : OptionalLong.empty();
    }

    /** The native (JNI) instances when they load, else lz4-java's fastest Java ones; created on first use. */
    private static final class Holder {
        static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();
        static final XXHashFactory XXHASH = XXHashFactory.fastestInstance();
    }
}
