package io.github.s3flash.api;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An open target, written at byte offsets.
 *
 * <p><b>Whole blocks.</b> Callers write and zero whole logical blocks: offsets and lengths are
 * multiples of {@link TargetGeometry#logicalBlockSize()} (a target of block size 1, a regular file,
 * takes any). A target may refuse anything else with {@link IllegalArgumentException}. The pipeline
 * writes an image that ends inside a block by reading that last block, laying the image's bytes
 * over its start and writing it whole.
 *
 * <p><b>Threads.</b> One writer thread at a time calls {@link #write}, {@link #zero} and {@link
 * #force}; {@link #geometry} and {@link #read} may be called from it as well. {@link #read} must
 * also work from other threads at the same time, for ranges no write or zero call is in flight on
 * (the delta check of an indexed flash reads chunks while others are being written). The pipeline
 * never calls {@link #close()} while another of its threads is inside a call on the target.
 *
 * <p><b>Refusing.</b> A target that declines a write without changing anything throws {@link
 * WriteRefusedException}: if it was the first write of a flash, the flash is refused, not aborted.
 *
 * <p>{@link #close()} is idempotent and is not durability: call {@link #force()} for that.
 */
public interface BlockTarget extends Closeable {

    TargetGeometry geometry();

    /**
     * Writes all remaining bytes of {@code data} at {@code offset} and leaves its position at its
     * limit. The pipeline passes buffers aligned to 4096 bytes in memory whose length is a multiple
     * of the chunk size, except for the image's last chunk and a rewritten last block.
     *
     * @throws WriteRefusedException if the target declined the write and nothing was written
     * @throws IOException if the write failed, perhaps after writing part of {@code data}, or passes
     *     the end of the target
     */
    void write(long offset, ByteBuffer data) throws IOException;

    /**
     * Reads into {@code dst} from {@code offset} until {@code dst} is full or the target ends, and
     * returns the bytes read (0 at or past the end). Used for read-back verification, skip-identical
     * writes and the read-modify-write of a last partial block.
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /** Makes every write so far durable: flushes buffers and the device's write cache. */
    void force() throws IOException;

    /**
     * Makes {@code [offset, offset + length)} read as zeros. The default writes zeros; sinks may do
     * better (zero-out commands, punched holes, skipping ranges already zero) but must stay byte-exact.
     *
     * @throws WriteRefusedException if the target declined and nothing was changed
     */
    default void zero(long offset, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(length, 1 << 20));
        long done = 0;
        while (done < length) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), length - done));
            write(offset + done, zeros);
            done += zeros.limit();
        }
    }

    /**
     * Whether {@link #zero} makes ranges read as zeros without writing them (a device's zero-out
     * command, a hole punched in a file), so that zeroing a range costs less than reading it back. A
     * delta flash then hands the image's all-zero chunks to {@link #zero} instead of reading them to
     * check. The default, for a target that writes zeros: false.
     */
    default boolean zeroesWithoutWriting() {
        return false;
    }
}
