package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.WriteRefusedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A sink whose first write asks the {@link Watchdog} to stand down, and refuses to write if the
 * watchdog has begun restoring the old boot. This is the point of no return, enforced where the
 * bytes go rather than where progress is reported.
 */
final class GatedSink implements BlockSink {

    private final BlockSink sink;
    private final Watchdog watchdog;

    GatedSink(BlockSink sink, Watchdog watchdog) {
        this.sink = sink;
        this.watchdog = watchdog;
    }

    @Override
    public String name() {
        return sink.name();
    }

    @Override
    public boolean accepts(Path target) {
        return sink.accepts(target);
    }

    @Override
    public BlockTarget open(Path target, Options options) throws IOException {
        BlockTarget opened = sink.open(target, options);
        return new BlockTarget() {
            private boolean cleared;

            // Refusals are WriteRefusedException: nothing was written, so the flash is refused, not aborted.
            private void gate() throws WriteRefusedException {
                if (!cleared) {
                    boolean mayWrite;
                    try {
                        mayWrite = watchdog.standDown();
                    } catch (IOException e) {
                        throw new WriteRefusedException("cannot record that writing begins (" + e.getMessage()
                                + "), which a restarted flash service must know; nothing is written", e);
                    }
                    if (!mayWrite) {
                        throw new WriteRefusedException("the watchdog is restoring the old boot; nothing is written");
                    }
                    cleared = true;
                }
            }

            @Override
            public TargetGeometry geometry() {
                return opened.geometry();
            }

            @Override
            public void write(long offset, ByteBuffer data) throws IOException {
                gate();
                opened.write(offset, data);
            }

            @Override
            public void zero(long offset, long length) throws IOException {
                gate();
                opened.zero(offset, length);
            }

            @Override
            public int read(long offset, ByteBuffer dst) throws IOException {
                return opened.read(offset, dst);
            }

            @Override
            public void force() throws IOException {
                opened.force();
            }

            @Override
            public void close() throws IOException {
                opened.close();
            }
        };
    }
}
