package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.TargetGeometry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A sink that is another sink, with each target it opens wrapped: boot mode puts its point of no
 * return between the flash and the disk this way ({@link GatedSink}), and tests their faults.
 */
abstract class WrappingSink implements BlockSink {

    private final BlockSink sink;

    WrappingSink(BlockSink sink) {
        this.sink = sink;
    }

    /** Wraps a target the sink opened (whoever opens it closes the wrapper, which closes the target). */
    abstract BlockTarget wrap(BlockTarget opened);

    @Override
    public final String name() {
        return sink.name();
    }

    @Override
    public final boolean accepts(Path target) {
        return sink.accepts(target);
    }

    @Override
    public final BlockTarget open(Path target, Options options) throws IOException {
        return wrap(sink.open(target, options));
    }

    /** A target that forwards every call to another; subclasses override what they change. */
    static class ForwardingTarget implements BlockTarget {

        private final BlockTarget target;

        ForwardingTarget(BlockTarget target) {
            this.target = target;
        }

        @Override
        public TargetGeometry geometry() {
            return target.geometry();
        }

        @Override
        public void write(long offset, ByteBuffer data) throws IOException {
            target.write(offset, data);
        }

        @Override
        public void zero(long offset, long length) throws IOException {
            target.zero(offset, length);
        }

        @Override
        public int read(long offset, ByteBuffer dst) throws IOException {
            return target.read(offset, dst);
        }

        @Override
        public void force() throws IOException {
            target.force();
        }

        @Override
        public void close() throws IOException {
            target.close();
        }
    }
}
