package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A sink whose first write asks the {@link Watchdog} to stand down, and refuses to write if the
 * watchdog has begun restoring the old boot. This is the point of no return, enforced where the
 * bytes go rather than where progress is reported.
 */
final class GatedSink extends WrappingSink {

    private final Watchdog watchdog;

    GatedSink(BlockSink sink, Watchdog watchdog) {
        super(sink);
        this.watchdog = watchdog;
    }

    @Override
    BlockTarget wrap(BlockTarget opened) {
        return new ForwardingTarget(opened) {
            private boolean cleared;

            private void gate() throws FirstWriteRefusedException {
                if (!cleared) {
                    boolean mayWrite;
                    try {
                        mayWrite = watchdog.standDown();
                    } catch (IOException e) {
                        throw new FirstWriteRefusedException("cannot record that writing begins (" + e.getMessage()
                                + "), which a restarted flash service must know; nothing is written", e, true);
                    }
                    if (!mayWrite) {
                        throw new FirstWriteRefusedException("the watchdog is restoring the old boot; nothing is"
                                + " written", null, false);
                    }
                    cleared = true;
                }
            }

            @Override
            public void write(long offset, ByteBuffer data) throws IOException {
                gate();
                super.write(offset, data);
            }

            @Override
            public void zero(long offset, long length) throws IOException {
                gate();
                super.zero(offset, length);
            }
        };
    }
}
