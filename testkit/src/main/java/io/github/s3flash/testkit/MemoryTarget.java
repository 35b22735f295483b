package io.github.s3flash.testkit;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.TargetGeometry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/** A {@link MemoryDisk} opened by {@link MemorySink}: checks each call against the BlockTarget contract. */
final class MemoryTarget implements BlockTarget {

    private final Path path;
    private final MemoryDisk disk;
    private volatile boolean closed;

    MemoryTarget(Path path, MemoryDisk disk) {
        this.path = path;
        this.disk = disk;
    }

    @Override
    public TargetGeometry geometry() {
        return disk.geometry();
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
        requireNonNull(data, "data");
        change(false, offset, data.remaining(), data);
    }

    @Override
    public void zero(long offset, long length) throws IOException {
        change(true, offset, length, null);
    }

    private void change(boolean zero, long offset, long length, ByteBuffer data) throws IOException {
        String call = (zero ? "zero(" : "write(") + offset + ", " + length + ")";
        checkOpen(call);
        int block = disk.geometry().logicalBlockSize();
        if (offset < 0 || length < 0 || offset % block != 0 || length % block != 0) {
            disk.violation(call + " on " + path + " is not whole " + block + "-byte blocks");
            throw new IllegalArgumentException(call + ": offset and length must be whole " + block + "-byte blocks");
        }
        if (offset + length > disk.geometry().capacity()) {
            throw new IOException(call + " passes the end of " + path + " (" + disk.geometry().capacity() + " bytes)");
        }
        int n = disk.beginWrite(offset, length);
        try {
            disk.store(n, zero, offset, length, data);
        } finally {
            disk.endWrite(n);
        }
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        requireNonNull(dst, "dst");
        checkOpen("read(" + offset + ", " + dst.remaining() + ")");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
        disk.checkRead(offset, dst.remaining());
        disk.read(offset, dst.remaining());
        return disk.copyOut(offset, dst);
    }

    @Override
    public boolean zeroesWithoutWriting() {
        return disk.zeroesWithoutWriting();
    }

    @Override
    public void force() throws IOException {
        checkOpen("force()");
        disk.forced();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        disk.closed();
    }

    private void checkOpen(String call) throws IOException {
        if (closed) {
            disk.violation(call + " after " + path + " was closed");
            throw new ClosedChannelException();
        }
    }
}
