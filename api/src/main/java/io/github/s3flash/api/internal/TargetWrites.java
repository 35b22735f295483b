package io.github.s3flash.api.internal;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.WriteRefusedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The writes of one flash onto its target, made by the one writer thread: image bytes and zero
 * ranges at any offset, in whole logical blocks. Both pipelines write through it.
 *
 * <p><b>The first write.</b> The target counts as changed from the moment its first write or zero
 * call begins, unless that call throws {@link WriteRefusedException} (the target declined and wrote
 * nothing). {@link ProgressEvent.WritingStarted} is sent once that first call has returned.
 *
 * <p><b>A last partial block.</b> Image bytes whose end falls inside a logical block of the target
 * (only the image's end can) are written with a read-modify-write of that block: read it whole, lay
 * the image's last bytes over its start, write it whole, so the target only ever sees whole, aligned
 * blocks and the rest of that block keeps what it held.
 */
final class TargetWrites {

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

    private final BlockTarget target;
    private final String shown;
    private final ProgressListener listener;
    private final AtomicBoolean started = new AtomicBoolean();

    /** @param shown the image's location as messages show it (redacted) */
    TargetWrites(BlockTarget target, String shown, ProgressListener listener) {
        this.target = target;
        this.shown = shown;
        this.listener = listener;
    }

    /** Whether the target may have changed: a write or zero call began and was not refused. */
    boolean started() {
        return started.get();
    }

    /**
     * Writes {@code data} (position to limit; left at its limit) at {@code offset}; when {@code
     * zeros} says it is all zeros, through the target's zero path instead.
     */
    void write(long offset, ByteBuffer data, boolean zeros) throws IOException {
        int length = data.remaining();
        int tail = (int) ((offset + length) % target.geometry().logicalBlockSize());
        int whole = length - tail;
        if (whole > 0) {
            ByteBuffer head = data.slice(data.position(), whole);
            change(offset, () -> {
                if (zeros) {
                    target.zero(offset, whole);
                } else {
                    target.write(offset, head);
                }
            });
        }
        if (tail > 0) {
            rewriteLastBlock(offset + whole, data.slice(data.position() + whole, tail));
        }
        data.position(data.limit());
    }

    /** Makes {@code [offset, offset + length)} read as zeros through the target's zero path. */
    void zero(long offset, long length) throws IOException {
        int tail = (int) ((offset + length) % target.geometry().logicalBlockSize());
        long whole = length - tail;
        if (whole > 0) {
            change(offset, () -> target.zero(offset, whole));
        }
        if (tail > 0) {
            rewriteLastBlock(offset + whole, ZEROS.slice(0, tail));
        }
    }

    /**
     * Writes the image's last {@code bytes} (fewer than a block) at {@code offset}, the start of the
     * target's block that holds them: reads the block, lays them over its start, writes it whole.
     */
    private void rewriteLastBlock(long offset, ByteBuffer bytes) throws IOException {
        int block = target.geometry().logicalBlockSize();
        int alignment = PipelineSettings.ALIGNMENT;
        ByteBuffer held = ByteBuffer.allocateDirect((block + alignment - 1) / alignment * alignment + alignment)
                .alignedSlice(alignment).limit(block).slice();
        int got = target.read(offset, held);
        if (got < block) {
            throw new IOException("cannot write the last " + bytes.remaining() + " bytes of image " + shown
                    + ": reading the " + block + "-byte block at offset " + offset + " of the target, to keep the"
                    + " rest of it, returned only " + got + " bytes");
        }
        held.clear().put(bytes).clear();
        change(offset, () -> target.write(offset, held));
    }

    private interface TargetChange {
        void run() throws IOException;
    }

    /** Runs a write or zero call, and tracks whether it was the first the target accepted. */
    private void change(long offset, TargetChange call) throws IOException {
        boolean first = started.compareAndSet(false, true);
        try {
            call.run();
        } catch (WriteRefusedException e) {
            if (first) {
                started.set(false);
            }
            throw e;
        }
        if (first) {
            Pipeline.notify(listener, new ProgressEvent.WritingStarted(offset));
        }
    }

    /** Whether {@code data} (position to limit) is all zeros. */
    static boolean allZero(ByteBuffer data) {
        int limit = data.limit();
        for (int at = data.position(); at < limit; at += ZEROS.capacity()) {
            int n = Math.min(ZEROS.capacity(), limit - at);
            if (data.slice(at, n).mismatch(ZEROS.slice(0, n)) != -1) {
                return false;
            }
        }
        return true;
    }
}
