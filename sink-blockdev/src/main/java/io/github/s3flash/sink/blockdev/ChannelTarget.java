package io.github.s3flash.sink.blockdev;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.VerificationFailedException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A block device or regular file, written at absolute offsets, in whole logical blocks (any bytes on
 * a file). Aligned writes go through a channel opened with {@code O_DIRECT} (no page cache: nothing
 * dirty piles up in RAM); what is not aligned for it (a last chunk that is whole 512-byte sectors but
 * not whole 4096-byte file-system blocks, a caller's unaligned buffer) and targets that refuse
 * {@code O_DIRECT} go through a buffered channel that is forced every {@link SinkOptions#syncEvery}
 * bytes. A native descriptor of the same file serves the calls Java lacks (zero-out, holes, size)
 * and, for a block device, holds the {@code O_EXCL} claim while the target is open.
 *
 * <p>Used by one writer thread at a time, as {@link BlockTarget} says; {@link #read} uses positional
 * reads and no shared scratch buffer, so other threads may read ranges meanwhile.
 */
final class ChannelTarget implements BlockTarget {

    private static final System.Logger LOG = System.getLogger(ChannelTarget.class.getPackageName());
    /** Reads for skip modes and verification go in pieces of this size. */
    private static final int PIECE = 4 << 20;

    /** What is written: the kinds differ in how they end and grow, and in how ranges are zeroed. */
    enum Kind { BLOCK_DEVICE, FILE }

    private final Path path;
    private final boolean blockDevice;
    private final SinkOptions options;
    private final TargetGeometry geometry;
    private final int fd;
    private final FileChannel buffered;
    private final FileChannel direct;
    private final int alignment;
    private final WriteLog writeLog;

    private ByteBuffer scratch;
    private ByteBuffer zeros;
    private long dirty;
    private long end;
    private boolean kernelZeroUnsupported;
    /** Whether the kernel zeroes without writing (see {@link #zeroesWithoutWriting}); asked once. */
    private Boolean deviceZeroes;
    private boolean closed;

    private long bytesWritten;
    private long bytesIdentical;
    private long bytesAlreadyZero;
    private long bytesZeroedByKernel;
    private int periodicSyncs;

    /**
     * @param fd a native descriptor of {@code path}; closed by {@link #close()}
     * @param direct an {@code O_DIRECT} channel, or null to write everything buffered
     * @param alignment what {@code direct} needs offsets, lengths and buffer addresses to be multiples of
     */
    ChannelTarget(Path path, Kind kind, SinkOptions options, TargetGeometry geometry, int fd,
            FileChannel buffered, FileChannel direct, int alignment) throws IOException {
        this.path = path;
        this.blockDevice = kind == Kind.BLOCK_DEVICE;
        this.options = options;
        this.geometry = geometry;
        this.fd = fd;
        this.buffered = buffered;
        this.direct = direct;
        this.alignment = alignment;
        this.writeLog = options.verify() ? new WriteLog() : null;
        this.end = blockDevice ? 0 : buffered.size();
    }

    @Override
    public TargetGeometry geometry() {
        return geometry;
    }

    /**
     * True when zero ranges go to the kernel (zero=zeroout or punch) and it zeroes them without
     * writing: a file's zero range or hole, or a block device with a write-zeroes command. Not when
     * skip-identical reads each range first anyway, nor once the kernel has refused a zeroing call.
     */
    @Override
    public boolean zeroesWithoutWriting() {
        boolean kernel = options.zero() == ZeroMode.ZEROOUT || options.zero() == ZeroMode.PUNCH;
        if (!kernel || options.skipIdentical() || kernelZeroUnsupported) {
            return false;
        }
        if (deviceZeroes == null) {
            deviceZeroes = !blockDevice || DeviceInfo.zeroesInDevice(path);
        }
        return deviceZeroes;
    }

    /** Whether aligned writes bypass the page cache. */
    boolean directIo() {
        return direct != null;
    }

    /** Bytes that reached the target through write calls (data and written zeros). */
    long bytesWritten() {
        return bytesWritten;
    }

    /** Bytes of {@link #write} calls skipped because the target already held them. */
    long bytesIdentical() {
        return bytesIdentical;
    }

    /** Bytes of {@link #zero} calls skipped because they already read as zeros. */
    long bytesAlreadyZero() {
        return bytesAlreadyZero;
    }

    /** Bytes of {@link #zero} calls done by the kernel (zero-out, zero range, punched holes). */
    long bytesZeroedByKernel() {
        return bytesZeroedByKernel;
    }

    /** How often the buffered path was forced because {@link SinkOptions#syncEvery} bytes were dirty. */
    int periodicSyncs() {
        return periodicSyncs;
    }

    @Override
    public void write(long offset, ByteBuffer data) throws IOException {
        requireNonNull(data, "data");
        int length = data.remaining();
        checkOpen();
        checkRange(offset, length);
        if (writeLog != null) {
            writeLog.data(offset, data);
        }
        if (options.skipIdentical() && stored(offset, length, data)) {
            bytesIdentical += length;
            data.position(data.limit());
        } else {
            put(offset, data);
        }
        end = Math.max(end, offset + length);
    }

    @Override
    public void zero(long offset, long length) throws IOException {
        checkOpen();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        if (writeLog != null) {
            writeLog.zeros(offset, length);
        }
        if (options.skipIdentical() || options.zero() == ZeroMode.SKIP_IF_ZERO) {
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(PIECE, length - done);
                if (stored(offset + done, n, null)) {
                    bytesAlreadyZero += n;
                } else {
                    zeroRange(offset + done, n);
                }
                done += n;
            }
        } else {
            zeroRange(offset, length);
        }
        end = Math.max(end, offset + length);
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        requireNonNull(dst, "dst");
        checkOpen();
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
        boolean aligned = direct != null && offset % alignment == 0 && dst.remaining() % alignment == 0
                && isAligned(dst);
        FileChannel channel = aligned ? direct : buffered;
        int total = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, offset + total);
            if (n < 0) {
                break;
            }
            total += n;
            if (aligned && n % alignment != 0) {
                // A direct read ends short only at the end of the target, and cannot go on from there.
                break;
            }
        }
        return total;
    }

    @Override
    public void force() throws IOException {
        checkOpen();
        extendFile();
        // One fsync covers both channels (same inode) and, on a block device, flushes its write cache.
        buffered.force(true);
        dirty = 0;
        if (writeLog != null) {
            verify();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            extendFile();
        } catch (IOException e) {
            failure = e;
        }
        for (FileChannel channel : new FileChannel[] {direct, buffered}) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                failure = addTo(failure, e);
            }
        }
        try {
            NativeIo.close(fd);
        } catch (IOException e) {
            failure = addTo(failure, e);
        }
        LOG.log(Level.DEBUG, () -> path + ": wrote " + bytesWritten + " bytes, skipped " + bytesIdentical
                + " identical and " + bytesAlreadyZero + " already zero, " + bytesZeroedByKernel
                + " zeroed by the kernel");
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException addTo(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    private void checkRange(long offset, long length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must be >= 0: " + offset + ", " + length);
        }
        int block = geometry.logicalBlockSize();
        if (offset % block != 0 || length % block != 0) {
            throw new IllegalArgumentException("writes to " + path + " must be whole " + block + "-byte blocks: "
                    + length + " bytes at offset " + offset);
        }
        if (offset + length > geometry.capacity() || offset + length < 0) {
            throw new IOException("write of " + length + " bytes at " + offset + " passes the end of " + path
                    + " (" + geometry.capacity() + " bytes)");
        }
    }

    private boolean isAligned(ByteBuffer buffer) {
        return buffer.isDirect() && buffer.alignmentOffset(buffer.position(), alignment) == 0;
    }

    /** Writes {@code data} at {@code offset}: the aligned part direct, the rest buffered. */
    private void put(long offset, ByteBuffer data) throws IOException {
        int length = data.remaining();
        int directPart = direct != null && offset % alignment == 0 && isAligned(data)
                ? length - length % alignment
                : 0;
        if (directPart > 0) {
            ByteBuffer head = data.slice(data.position(), directPart);
            writeFully(direct, head, offset);
            data.position(data.position() + directPart);
        }
        if (data.hasRemaining()) {
            long at = offset + directPart;
            int n = data.remaining();
            writeFully(buffered, data, at);
            dirty += n;
            if (dirty >= options.syncEvery()) {
                // Bounded dirty data: in an in-memory OS the page cache is the RAM the system runs in.
                buffered.force(false);
                dirty = 0;
                periodicSyncs++;
            }
        }
        bytesWritten += length;
    }

    private static void writeFully(FileChannel channel, ByteBuffer data, long offset) throws IOException {
        long at = offset;
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
    }

    /**
     * Whether the target holds {@code expected} (or zeros, when it is null) at {@code offset}. On a
     * file that grows, bytes past its end count as zeros: they read so once it is extended.
     */
    private boolean stored(long offset, int length, ByteBuffer expected) throws IOException {
        ByteBuffer buffer = scratch(length + 2 * alignment);
        long from = offset - offset % alignment;
        int skip = (int) (offset - from);
        int want = roundUp(skip + length);
        buffer.clear().limit(want);
        int got = read(from, buffer);
        int available = Math.max(0, Math.min(length, got - skip));
        ByteBuffer held = buffer.flip().slice(Math.min(skip, buffer.limit()), available);
        if (expected != null) {
            return available == length && held.mismatch(expected.duplicate()) == -1;
        }
        if (available < length && blockDevice) {
            return false;
        }
        ByteBuffer zero = zeros(Math.max(available, 1));
        return held.mismatch(zero.slice(0, available)) == -1;
    }

    private void zeroRange(long offset, long length) throws IOException {
        switch (options.zero()) {
            case ZEROOUT, PUNCH -> {
                if (kernelZero(offset, length, options.zero())) {
                    return;
                }
            }
            case WRITE, SKIP_IF_ZERO -> {}
        }
        writeZeros(offset, length);
    }

    /**
     * Zeroes the range with a kernel call ({@code mode} {@link ZeroMode#ZEROOUT} or {@link
     * ZeroMode#PUNCH}); false where the target cannot, and zeros must be written.
     */
    private boolean kernelZero(long offset, long length, ZeroMode mode) throws IOException {
        boolean punch = mode == ZeroMode.PUNCH;
        if (kernelZeroUnsupported || (offset | length) % geometry.logicalBlockSize() != 0) {
            return false;
        }
        try {
            if (!blockDevice && punch) {
                // Past the end there is nothing to punch: extendFile() makes that part read as zeros.
                long size = buffered.size();
                if (offset < size) {
                    NativeIo.fallocate(fd, NativeIo.FALLOC_FL_PUNCH_HOLE | NativeIo.FALLOC_FL_KEEP_SIZE, offset,
                            Math.min(length, size - offset));
                }
            } else if (!blockDevice) {
                NativeIo.fallocate(fd, NativeIo.FALLOC_FL_ZERO_RANGE, offset, length);
            } else if (punch) {
                try {
                    NativeIo.fallocate(fd, NativeIo.FALLOC_FL_PUNCH_HOLE | NativeIo.FALLOC_FL_KEEP_SIZE, offset,
                            length);
                } catch (NativeIo.Failure e) {
                    if (e.errno() != NativeIo.EOPNOTSUPP) {
                        throw e;
                    }
                    NativeIo.zeroOut(fd, offset, length);
                }
            } else {
                NativeIo.zeroOut(fd, offset, length);
            }
            bytesZeroedByKernel += length;
            return true;
        } catch (NativeIo.Failure e) {
            if (e.errno() != NativeIo.EOPNOTSUPP && e.errno() != NativeIo.ENOTTY && e.errno() != NativeIo.EINVAL) {
                throw new IOException("zeroing " + length + " bytes at " + offset + " of " + path + " failed: "
                        + e.getMessage(), e);
            }
            kernelZeroUnsupported = true;
            LOG.log(Level.INFO, path + " cannot zero ranges with " + options.zero().option() + " ("
                    + e.getMessage() + "); writing zeros instead");
            return false;
        }
    }

    private void writeZeros(long offset, long length) throws IOException {
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(PIECE, length - done);
            put(offset + done, zeros(n).slice(0, n));
            done += n;
        }
    }

    /** A growing file whose tail was skipped or punched is extended to the size the image needs. */
    private void extendFile() throws IOException {
        if (!blockDevice && end > buffered.size()) {
            NativeIo.ftruncate(fd, end);
        }
    }

    private void verify() throws IOException {
        for (WriteLog.Run run : writeLog.drain()) {
            String expected = HexFormat.of().formatHex(run.sha256.digest());
            String actual = readBackSha256(run.start, run.end);
            if (!expected.equals(actual)) {
                throw new VerificationFailedException("read-back verification of " + path + " failed: bytes "
                        + run.start + " to " + run.end + " read back with SHA-256 " + actual + " but " + expected
                        + " was written; the target did not keep what was written (a failing disk, or something"
                        + " else wrote to it during the flash): flash it again and check the disk", expected, actual);
            }
        }
    }

    private String readBackSha256(long start, long stop) throws IOException {
        if (direct == null) {
            // No direct I/O here: drop the cached pages just forced, so the reads come from the target.
            NativeIo.dropCache(fd, start, stop - start);
        }
        MessageDigest sha256 = WriteLog.newDigest();
        ByteBuffer buffer = scratch(PIECE + alignment);
        long at = start - start % alignment;
        while (at < stop) {
            int want = roundUp((int) Math.min(PIECE, stop - at));
            buffer.clear().limit(want);
            int got = read(at, buffer);
            buffer.flip();
            int from = (int) Math.max(0, start - at);
            int to = (int) Math.min(got, stop - at);
            if (to > from) {
                sha256.update(buffer.slice(from, to - from));
            }
            if (got < want) {
                break;
            }
            at += want;
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private int roundUp(int n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private ByteBuffer scratch(int size) {
        if (scratch == null || scratch.capacity() < size) {
            scratch = ByteBuffer.allocateDirect(size + alignment).alignedSlice(alignment);
        }
        return scratch;
    }

    private ByteBuffer zeros(int size) {
        if (zeros == null || zeros.capacity() < size) {
            zeros = ByteBuffer.allocateDirect(Math.max(size, 1 << 20) + alignment).alignedSlice(alignment)
                    .asReadOnlyBuffer();
        }
        return zeros.clear();
    }
}
