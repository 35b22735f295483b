package io.github.s3flash.api;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An open target, written at byte offsets. Used by one writer thread at a time. {@link #close()} is
 * idempotent and is not durability: call {@link #force()} for that.
 */
public interface BlockTarget extends Closeable {

    TargetGeometry geometry();

    /**
     * Writes all remaining bytes of {@code data} at {@code offset}. The pipeline passes buffers
     * aligned to 4096 bytes in memory whose length is a multiple of the chunk size, except for the
     * image's last chunk.
     */
    void write(long offset, ByteBuffer data) throws IOException;

    /**
     * Reads into {@code dst} from {@code offset} until {@code dst} is full or the target ends, and
     * returns the bytes read. Used for read-back verification and skip-identical writes.
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /** Makes every write so far durable: flushes buffers and the device's write cache. */
    void force() throws IOException;

    /**
     * Makes {@code [offset, offset + length)} read as zeros. The default writes zeros; sinks may do
     * better (zero-out commands, punched holes, skipping ranges already zero) but must stay byte-exact.
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
}
