package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.TargetGeometry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A device or file written through a {@link FileChannel} at absolute offsets. */
final class ChannelTarget implements BlockTarget {

    private final Path path;
    private final FileChannel channel;
    private final TargetGeometry geometry;

    ChannelTarget(Path path, FileChannel channel, TargetGeometry geometry) {
        this.path = path;
        this.channel = channel;
        this.geometry = geometry;
    }

    @Override
    public TargetGeometry geometry() {
        return geometry;
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
        if (offset + data.remaining() > geometry.capacity()) {
            throw new IOException("write of " + data.remaining() + " bytes at " + offset + " passes the end of "
                    + path + " (" + geometry.capacity() + " bytes)");
        }
        long at = offset;
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, offset + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public void force() throws IOException {
        channel.force(true);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
