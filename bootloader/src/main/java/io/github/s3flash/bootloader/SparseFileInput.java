package io.github.s3flash.bootloader;

import io.github.s3flash.api.index.PositionalInput;
import io.github.s3flash.api.index.SparseInput;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A disk image file read front to back, which tells {@code s3flash image create} where its holes
 * are: {@code lseek(SEEK_DATA)} (Linux, through the Foreign Function &amp; Memory API) on a descriptor
 * of its own, the bytes themselves through a {@link FileChannel}. Skipping moves the channel's
 * position without reading. Where the file system keeps no holes, or the file is a block device,
 * the kernel reports data everywhere and every chunk is read, as before. The writer's threads take
 * their chunks at their offsets ({@link PositionalInput}) as mapped pages: mapping is safe from
 * several threads at once, and spares the kernel's copy of every byte into the heap (on this
 * project's 2-core bench, a quarter of a create's time on random data).
 *
 * <p>Needs {@code --enable-native-access=io.github.s3flash.bootloader} (or {@code ALL-UNNAMED} on the
 * class path); without it the JDK prints a warning and still runs the calls.
 */
@SuppressWarnings("restricted") // the module is granted native access for these two calls
final class SparseFileInput extends InputStream implements SparseInput, PositionalInput {

    private static final int O_RDONLY_CLOEXEC = 02000000;
    private static final int SEEK_DATA = 3;
    /** lseek's answer when no data follows the offset. */
    private static final int ENXIO = 6;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final FileChannel channel;
    private final long length;
    /** The descriptor lseek asks, or -1 when the file could not be opened for it (then: data everywhere). */
    private final int fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment callState = arena.allocate(CALL_STATE);
    private long position;
    private boolean closed;

    /** Opens {@code path} (a regular file or a block device) for reading. */
    SparseFileInput(Path path) throws IOException {
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            this.length = channel.size();
            this.fd = open(path);
        } catch (IOException | RuntimeException e) {
            channel.close();
            arena.close();
            throw e;
        }
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long dataFrom(long offset) throws IOException {
        if (fd < 0 || offset >= length) {
            return offset;
        }
        long data;
        int errno;
        try {
            data = (long) LSEEK.invokeExact(callState, fd, offset, SEEK_DATA);
            errno = (int) ERRNO.get(callState, 0L);
        } catch (Throwable t) {
            throw new IOException("lseek(SEEK_DATA) failed: " + t, t);
        }
        if (data >= offset) {
            return data;
        }
        // ENXIO: no data at or after the offset, a hole to the end. Anything else: read it.
        return errno == ENXIO ? length : offset;
    }

    /** The file's pages at {@code offset} mapped read-only until {@code arena} closes: no copy by the kernel. */
    @Override
    public ByteBuffer bytes(long offset, int length, Arena arena) throws IOException {
        long size = channel.size();
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new EOFException("the source ends at byte " + size + ", before byte " + (offset + length)
                    + " (its length when it was opened was " + this.length + "): was it changed while the image"
                    + " was made?");
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length, arena).asByteBuffer();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = channel.read(ByteBuffer.wrap(b, off, len), position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, length - position));
        position += skipped;
        return skipped;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } finally {
            if (fd >= 0) {
                try {
                    int ignored = (int) CLOSE.invokeExact(callState, fd);
                } catch (Throwable t) {
                    // A read-only descriptor: nothing is lost if closing it fails.
                }
            }
            arena.close();
        }
    }

    private int open(Path path) throws IOException {
        try {
            return (int) OPEN.invokeExact(callState, arena.allocateFrom(path.toString()), O_RDONLY_CLOEXEC);
        } catch (Throwable t) {
            throw new IOException("open " + path + " failed: " + t, t);
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, CAPTURE_ERRNO);
    }
}
