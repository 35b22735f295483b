package io.github.s3flash.sink.blockdev;

import static java.util.Objects.requireNonNull;

import com.sun.nio.file.ExtendedOpenOption;
import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.TargetUnavailableException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Block devices ({@code /dev/nvme0n1}, {@code /dev/loop3}) and regular files. It accepts only what
 * it can write: a block device, a regular file, or a path where a regular file can be created (a
 * missing file in an existing directory, outside {@code /dev}); nothing else, so that it shadows no
 * other sink.
 *
 * <p>A block device's capacity and logical and physical block sizes come from the kernel's ioctls
 * (sysfs where they fail). It is refused when it, or one of its partitions, is mounted, active swap or
 * held by device-mapper or md, unless option {@value SinkOptions#FORCE} is set; while open it is held
 * with {@code O_EXCL}, so nothing can mount it during the flash. An existing regular file is a disk of
 * its current size; with option {@value SinkOptions#CREATE} a regular file is created (or truncated)
 * and grows to the image's size. Nothing is ever created under {@code /dev}.
 *
 * <p>Options (see {@code README.md}): {@code create}, {@code force}, {@code zero=write|zeroout|
 * skip-if-zero|punch}, {@code skip-identical}, {@code verify}, {@code direct-io=auto|on|off}, {@code
 * sync-every}.
 *
 * <p>Stateless and thread-safe.
 */
public final class BlockDeviceSink implements BlockSink {

    /** Create (or truncate) a regular-file target. */
    public static final String CREATE = SinkOptions.CREATE;

    private static final System.Logger LOG = System.getLogger(BlockDeviceSink.class.getPackageName());
    /** Regular files: any length (logical block 1); 4096 is what filesystems write in. */
    private static final int FILE_PHYSICAL_BLOCK = 4096;
    private static final AtomicBoolean LINKING = new AtomicBoolean();

    @Override
    public String name() {
        return "blockdev";
    }

    @Override
    public boolean accepts(Path target) {
        Path path = requireNonNull(target, "target").toAbsolutePath().normalize();
        boolean accepted = Files.isRegularFile(path) || blockDevice(path) || creatable(path);
        if (accepted && LINKING.compareAndSet(false, true)) {
            // Linking the native calls takes ~0.15 s in a fresh JVM. The pipeline chooses the sink,
            // then opens the source, then the target: linking now overlaps with opening the source.
            Thread.ofPlatform().daemon().name("s3flash-blockdev-link").start(() -> {
                try {
                    NativeIo.link();
                } catch (Throwable t) {
                    // open() meets the same failure and reports it; here it only cost the head start.
                    LOG.log(Level.DEBUG, "linking native calls failed", t);
                }
            });
        }
        return accepted;
    }

    private static boolean blockDevice(Path path) {
        try {
            return DeviceInfo.isBlockDevice(path);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A regular file can be created here (with option create=true): nothing is there, its directory is. */
    private static boolean creatable(Path path) {
        Path parent = path.getParent();
        return !path.startsWith("/dev") && Files.notExists(path) && parent != null && Files.isDirectory(parent);
    }

    @Override
    public BlockTarget open(Path target, Options options) throws IOException {
        requireNonNull(target, "target");
        requireNonNull(options, "options");
        SinkOptions settings = SinkOptions.from(options);
        Path path = target.toAbsolutePath().normalize();
        if (Files.notExists(path)) {
            if (path.startsWith("/dev")) {
                throw new TargetUnavailableException("target device " + path
                        + " does not exist; check the device name (lsblk lists the disks)");
            }
            if (!settings.create()) {
                throw new TargetUnavailableException("target " + path + " does not exist; give an existing device or"
                        + " file, or option " + SinkOptions.CREATE + "=true to create a regular file");
            }
        }
        if (Files.isSymbolicLink(path)) {
            path = path.toRealPath();
        }
        try {
            if (DeviceInfo.isBlockDevice(path)) {
                return openBlockDevice(path, settings);
            }
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                throw new TargetUnavailableException("target " + path + " is neither a block device nor a regular file");
            }
            return openFile(path, settings);
        } catch (NoSuchFileException e) {
            throw new TargetUnavailableException("target " + path + " does not exist (or its directory does not)", e);
        } catch (AccessDeniedException e) {
            throw new TargetUnavailableException("target " + path + " is not writable by this user (run as root?)", e);
        } catch (FileAlreadyExistsException e) {
            throw new TargetUnavailableException("target " + path + " could not be created: " + e.getMessage(), e);
        }
    }

    private static BlockTarget openBlockDevice(Path path, SinkOptions settings) throws IOException {
        if (settings.force()) {
            LOG.log(Level.WARNING, "force=true: writing " + path
                    + " without checking whether it is mounted, swap or held, and without an exclusive claim");
        } else {
            List<String> users = DeviceInfo.users(path, DeviceInfo.SystemFiles.LIVE);
            if (!users.isEmpty()) {
                throw new TargetUnavailableException("target " + path + " is in use: " + String.join("; ", users)
                        + "; unmount it, swapoff it or remove the holder first (or give option " + SinkOptions.FORCE
                        + "=true to overwrite it anyway)");
            }
        }
        int fd = openNative(path, settings.force() ? NativeIo.Claim.SHARED : NativeIo.Claim.EXCLUSIVE);
        FileChannel buffered = null;
        FileChannel direct = null;
        try {
            if (NativeIo.readOnly(fd)) {
                throw new TargetUnavailableException("target " + path
                        + " is a read-only block device; make it writable (blockdev --setrw " + path + ") first");
            }
            TargetGeometry geometry = geometry(path, fd);
            buffered = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            direct = openDirect(path, settings);
            int alignment = Math.max(geometry.logicalBlockSize(), storeBlockSize(path));
            LOG.log(Level.DEBUG, () -> "opened block device " + path + ": " + geometry
                    + (settings.force() ? "" : ", held exclusively"));
            return new ChannelTarget(path, ChannelTarget.Kind.BLOCK_DEVICE, settings, geometry, fd, buffered, direct,
                    alignment);
        } catch (IOException | RuntimeException e) {
            closeQuietly(e, direct, buffered);
            closeNativeQuietly(e, fd);
            throw e;
        }
    }

    private static BlockTarget openFile(Path path, SinkOptions settings) throws IOException {
        FileChannel buffered = settings.create()
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel direct = null;
        int fd = -1;
        try {
            TargetGeometry geometry = new TargetGeometry(settings.create() ? Long.MAX_VALUE : buffered.size(), 1,
                    FILE_PHYSICAL_BLOCK);
            fd = openNative(path, NativeIo.Claim.SHARED);
            direct = openDirect(path, settings);
            return new ChannelTarget(path, ChannelTarget.Kind.FILE, settings, geometry, fd, buffered, direct,
                    Math.max(512, storeBlockSize(path)));
        } catch (IOException | RuntimeException e) {
            closeQuietly(e, direct, buffered);
            if (fd >= 0) {
                closeNativeQuietly(e, fd);
            }
            throw e;
        }
    }

    private static int openNative(Path path, NativeIo.Claim claim) throws IOException {
        try {
            return NativeIo.open(path, claim);
        } catch (NativeIo.Failure e) {
            throw switch (e.errno()) {
                case NativeIo.EBUSY -> new TargetUnavailableException("target " + path + " is busy: another program"
                        + " or the kernel holds it exclusively (a mount, swap, RAID/LVM member, or another flash"
                        + " or partitioner); stop that user first (or give option " + SinkOptions.FORCE + "=true)", e);
                case NativeIo.EACCES, NativeIo.EROFS -> new TargetUnavailableException("target " + path
                        + " is not writable (" + e.getMessage() + "); run as root, or check it is not read-only", e);
                case NativeIo.ENOENT -> new TargetUnavailableException("target " + path + " does not exist", e);
                default -> new TargetUnavailableException("cannot open target " + path + ": " + e.getMessage(), e);
            };
        }
    }

    private static TargetGeometry geometry(Path path, int fd) throws IOException {
        try {
            long capacity = NativeIo.blockDeviceSize(fd);
            int logical = NativeIo.logicalBlockSize(fd);
            int physical = NativeIo.physicalBlockSize(fd);
            return new TargetGeometry(capacity, logical, Math.max(physical, logical));
        } catch (NativeIo.Failure e) {
            LOG.log(Level.DEBUG, () -> "block-device ioctls failed on " + path + " (" + e.getMessage()
                    + "); reading the geometry from sysfs");
            return DeviceInfo.sysfsGeometry(path);
        }
    }

    private static FileChannel openDirect(Path path, SinkOptions settings) throws IOException {
        if (settings.directIo().equals("off")) {
            LOG.log(Level.INFO, path + ": direct-io=off, writing through the page cache and forcing every "
                    + settings.syncEvery() + " bytes");
            return null;
        }
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            if (settings.directIo().equals("on")) {
                throw new TargetUnavailableException("target " + path + " does not support direct I/O (" + e
                        + "); use direct-io=auto to write it through the page cache", e);
            }
            LOG.log(Level.INFO, path + " does not support direct I/O (" + e + "); writing through the page cache"
                    + " and forcing every " + settings.syncEvery() + " bytes");
            return null;
        }
    }

    /** The unit Java's direct I/O wants offsets, lengths and addresses in: the block size of the file's store. */
    private static int storeBlockSize(Path path) {
        try {
            long size = Files.getFileStore(path).getBlockSize();
            return size > 0 && size <= (1 << 20) && Long.bitCount(size) == 1 ? (int) size : 4096;
        } catch (IOException | UnsupportedOperationException e) {
            return 4096;
        }
    }

    private static void closeQuietly(Exception failure, FileChannel... channels) {
        for (FileChannel channel : channels) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    private static void closeNativeQuietly(Exception failure, int fd) {
        try {
            NativeIo.close(fd);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
