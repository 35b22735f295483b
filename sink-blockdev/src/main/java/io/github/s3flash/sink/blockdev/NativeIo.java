package io.github.s3flash.sink.blockdev;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few Linux calls Java has no API for, through the Foreign Function &amp; Memory API: {@code
 * open(O_EXCL)} on a block device, the block-device ioctls, {@code fallocate}, {@code ftruncate} and
 * {@code posix_fadvise}. Data itself moves through {@link java.nio.channels.FileChannel}; these calls
 * work on a separate descriptor of the same file.
 *
 * <p>Needs {@code --enable-native-access=io.github.s3flash.sink.blockdev} (or {@code ALL-UNNAMED} on
 * the class path); without it the JDK prints a warning and still runs the calls.
 */
@SuppressWarnings("restricted") // calling C is this class's purpose; the module is granted native access
final class NativeIo {

    /** {@code O_RDWR | O_CLOEXEC}; the generic values, the same on x86-64 and arm64. */
    private static final int O_RDWR = 02;
    private static final int O_EXCL = 0200;
    private static final int O_CLOEXEC = 02000000;

    private static final long BLKROGET = 0x125E;
    private static final long BLKSSZGET = 0x1268;
    private static final long BLKPBSZGET = 0x127B;
    private static final long BLKZEROOUT = 0x127F;
    private static final long BLKGETSIZE64 = 0x80081272L;

    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    static final int FALLOC_FL_ZERO_RANGE = 0x10;
    private static final int POSIX_FADV_DONTNEED = 4;

    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EINVAL = 22;
    static final int ENOTTY = 25;
    static final int EROFS = 30;
    static final int EOPNOTSUPP = 95;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    /**
     * Handles only some targets need, linked on first use: linking costs a few milliseconds each in
     * a fresh JVM, which a flash of a small image notices.
     */
    private static final class Rare {
        private static final MethodHandle FALLOCATE = downcall("fallocate",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                CAPTURE_ERRNO);
        private static final MethodHandle FTRUNCATE = downcall("ftruncate",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), CAPTURE_ERRNO);
        private static final MethodHandle POSIX_FADVISE = downcall("posix_fadvise",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        private static final MethodHandle STRERROR = downcall("strerror",
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }

    private NativeIo() {}

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("the C library has no " + name + "()"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** Links the calls every target needs: initialising this class does, so there is nothing else to do. */
    static void link() {}

    /** A failed system call: the errno and the C library's text for it. */
    static final class Failure extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        Failure(String call, int errno) {
            super(call + " failed: " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    /** Whether a descriptor claims its block device for itself. */
    enum Claim {
        /** {@code O_EXCL}: the kernel refuses every other exclusive opener (a mount, swapon, md, another flash). */
        EXCLUSIVE,
        /** No claim: other openers are not kept out (a regular file, or a device written with force). */
        SHARED
    }

    /** Opens {@code path} read-write, claiming a block device for itself when asked. */
    static int open(Path path, Claim claim) throws Failure {
        boolean exclusive = claim == Claim.EXCLUSIVE;
        int flags = O_RDWR | O_CLOEXEC | (exclusive ? O_EXCL : 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), flags);
            if (fd < 0) {
                throw new Failure("open(" + path + (exclusive ? ", O_EXCL" : "") + ")", errno(state));
            }
            return fd;
        } catch (Failure e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void close(int fd) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) CLOSE.invokeExact(state, fd) != 0) {
                throw new Failure("close", errno(state));
            }
        } catch (Failure e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long blockDeviceSize(int fd) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            ioctl(arena, fd, BLKGETSIZE64, out, "ioctl(BLKGETSIZE64)");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    static int logicalBlockSize(int fd) throws Failure {
        return intIoctl(fd, BLKSSZGET, "ioctl(BLKSSZGET)");
    }

    static int physicalBlockSize(int fd) throws Failure {
        return intIoctl(fd, BLKPBSZGET, "ioctl(BLKPBSZGET)");
    }

    static boolean readOnly(int fd) throws Failure {
        return intIoctl(fd, BLKROGET, "ioctl(BLKROGET)") != 0;
    }

    /**
     * {@code BLKZEROOUT}: the kernel zeroes the range with the device's write-zeroes command where it
     * has one and by writing zero pages where not; either way it then reads as zeros (unlike discard).
     */
    static void zeroOut(int fd, long offset, long length) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(ValueLayout.JAVA_LONG, 2);
            range.setAtIndex(ValueLayout.JAVA_LONG, 0, offset);
            range.setAtIndex(ValueLayout.JAVA_LONG, 1, length);
            ioctl(arena, fd, BLKZEROOUT, range, "ioctl(BLKZEROOUT, " + offset + ", " + length + ")");
        }
    }

    static void fallocate(int fd, int mode, long offset, long length) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) Rare.FALLOCATE.invokeExact(state, fd, mode, offset, length) != 0) {
                throw new Failure("fallocate(mode " + mode + ", " + offset + ", " + length + ")", errno(state));
            }
        } catch (Failure e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void ftruncate(int fd, long length) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) Rare.FTRUNCATE.invokeExact(state, fd, length) != 0) {
                throw new Failure("ftruncate(" + length + ")", errno(state));
            }
        } catch (Failure e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** Drops clean cached pages of the range, so that the next buffered read comes from the device. */
    static void dropCache(int fd, long offset, long length) throws Failure {
        int error;
        try {
            error = (int) Rare.POSIX_FADVISE.invokeExact(fd, offset, length, POSIX_FADV_DONTNEED);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (error != 0) {
            throw new Failure("posix_fadvise(DONTNEED)", error);
        }
    }

    private static int intIoctl(int fd, long request, String call) throws Failure {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_INT);
            ioctl(arena, fd, request, out, call);
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    private static void ioctl(Arena arena, int fd, long request, MemorySegment arg, String call) throws Failure {
        MemorySegment state = arena.allocate(CALL_STATE);
        int result;
        try {
            result = (int) IOCTL.invokeExact(state, fd, request, arg);
        } catch (Throwable t) {
            throw unexpected(t);
        }
        if (result != 0) {
            throw new Failure(call, errno(state));
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) Rare.STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static IllegalStateException unexpected(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed unexpectedly: " + t, t);
    }
}
