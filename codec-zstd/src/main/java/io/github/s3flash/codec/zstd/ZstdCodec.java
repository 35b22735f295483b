package io.github.s3flash.codec.zstd;

import static java.util.Objects.requireNonNull;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.github.s3flash.api.Codec;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * The {@code zstd} codec: decodes what {@code zstd} and {@code pzstd} write (one or many frames,
 * skippable frames, checksums, {@code -T0}, long windows up to {@code --long=31}) and encodes frames
 * that {@code zstd -d} reads.
 *
 * <p>Encode options: {@code level} (default 3, as the CLI), {@code long} ({@code true} for a 128 MiB
 * window as {@code --long}, or a window log 10 to 31 as {@code --long=N}; windows above 27 need
 * {@code zstd -d --long=N} to decode with the CLI), {@code workers} (compression threads, as {@code
 * -T}; default 0, single-threaded), {@code checksum} (default true, as the CLI) and {@code
 * content-size} (the exact number of bytes that will be written: recorded in the frame header, as the
 * CLI does for files, and enforced by libzstd; indexed images record it in every chunk's frame).
 *
 * <p>Probe: certain on the Zstandard magic number. Skippable frames (0x184D2A50 to 0x184D2A5F)
 * belong to LZ4 and Zstandard alike (pzstd starts every file with one), so the probe looks past
 * skippable frames inside the head and is certain only when the first frame after them is
 * Zstandard's; when that frame lies beyond the head the answer is {@link ProbeResult#POSSIBLY}.
 *
 * <p>No {@code decodedLength}: the CLI records each frame's content size, but pzstd and
 * concatenated files hold several frames and the head shows only the first one's size; a wrong claim
 * would fail a good flash at its end.
 *
 * <p>Stateless and thread-safe.
 */
public final class ZstdCodec implements Codec {

    static final int MAGIC = 0xFD2FB528;
    private static final int SKIPPABLE_MASK = 0xFFFFFFF0;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50;

    @Override
    public String name() {
        return "zstd";
    }

    @Override
    public ProbeResult probe(ByteBuffer head) {
        requireNonNull(head, "head");
        ByteBuffer h = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = h.position();
        long at = 0;
        while (at + 4 <= h.remaining()) {
            int magic = h.getInt(base + (int) at);
            if (magic == MAGIC) {
                return ProbeResult.CERTAINLY;
            }
            if ((magic & SKIPPABLE_MASK) != SKIPPABLE_MAGIC) {
                return ProbeResult.NO;
            }
            if (at + 8 > h.remaining()) {
                return ProbeResult.POSSIBLY;
            }
            at += 8 + (h.getInt(base + (int) at + 4) & 0xFFFFFFFFL);
        }
        return at > 0 ? ProbeResult.POSSIBLY : ProbeResult.NO;
    }

    @Override
    public InputStream decode(InputStream compressed) {
        requireNonNull(compressed, "compressed");
        return new ZstdFrameInputStream(compressed);
    }

    @Override
    public OutputStream encode(OutputStream out, Options options) throws IOException {
        requireNonNull(out, "out");
        requireNonNull(options, "options");
        int level = options.getInt("level", 3);
        if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
            throw new IllegalArgumentException("option level=" + level + " is not valid: expected "
                    + Zstd.minCompressionLevel() + " to " + Zstd.maxCompressionLevel());
        }
        int windowLog = longWindow(options);
        int workers = options.getInt("workers", 0);
        if (workers < 0 || workers > 200) {
            throw new IllegalArgumentException("option workers=" + workers + " is not valid: expected 0 to 200");
        }
        long contentSize = options.getLong("content-size", -1);
        if (contentSize < -1) {
            throw new IllegalArgumentException("option content-size=" + contentSize
                    + " is not valid: expected the frame's decoded size in bytes");
        }
        if (contentSize >= 0) {
            if (workers > 0) {
                throw new IllegalArgumentException("option content-size makes one frame on one thread: leave workers out");
            }
            return new ZstdSizedFrameOutputStream(out, level, options.getBoolean("checksum", true), windowLog,
                    contentSize);
        }
        var zstd = new ZstdOutputStreamNoFinalizer(out, level);
        zstd.setChecksum(options.getBoolean("checksum", true));
        if (windowLog > 0) {
            zstd.setLong(windowLog);
        }
        if (workers > 0) {
            zstd.setWorkers(workers);
        }
        return zstd;
    }

    /** The {@code long} option as a window log: 0 for off, 27 for {@code true}, else 10 to 31. */
    private static int longWindow(Options options) throws InvalidOptionException {
        String value = options.get("long", "false").trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "false", "off", "no", "0" -> {
                return 0;
            }
            case "true", "on", "yes" -> {
                return 27;
            }
            default -> {
                int log = options.getInt("long", 0);
                if (log < 10 || log > ZstdFrameInputStream.WINDOW_LOG_MAX) {
                    throw new IllegalArgumentException("option long=" + value
                            + " is not valid: expected true, false or a window log 10 to 31");
                }
                return log;
            }
        }
    }
}
