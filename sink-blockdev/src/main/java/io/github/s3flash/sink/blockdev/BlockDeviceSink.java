package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.TargetUnavailableException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;

/**
 * Block devices ({@code /dev/nvme0n1}, {@code /dev/loop3}) and regular files.
 *
 * <p>A block device's capacity and block sizes come from sysfs, since {@code stat} reports a size of
 * 0 for it. An existing regular file is a disk of its current size; with option {@value #CREATE} a
 * regular file is created (or truncated) and grows to the image's size. Nothing is ever created under
 * {@code /dev}.
 */
public final class BlockDeviceSink implements BlockSink {

    /** Create (or truncate) a regular-file target. */
    public static final String CREATE = "create";

    @Override
    public String name() {
        return "blockdev";
    }

    @Override
    public boolean accepts(Path target) {
        return !Files.isDirectory(target);
    }

    @Override
    public BlockTarget open(Path target, Options options) throws IOException {
        Path path = target.toAbsolutePath().normalize();
        boolean create = options.getBoolean(CREATE, false);
        if (Files.notExists(path)) {
            if (path.startsWith("/dev")) {
                throw new TargetUnavailableException("target device " + path
                        + " does not exist; check the device name (lsblk lists the disks)");
            }
            if (!create) {
                throw new TargetUnavailableException("target " + path
                        + " does not exist; give an existing device or file, or --create to create a regular file");
            }
        }
        if (Files.isSymbolicLink(path)) {
            path = path.toRealPath();
        }
        try {
            if (DeviceInfo.isBlockDevice(path)) {
                TargetGeometry geometry = DeviceInfo.geometry(path);
                FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return new ChannelTarget(path, channel, geometry);
            }
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                throw new TargetUnavailableException("target " + path + " is neither a block device nor a regular file");
            }
            if (create) {
                var openOptions = EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
                FileChannel channel = FileChannel.open(path, openOptions);
                return new ChannelTarget(path, channel, new TargetGeometry(Long.MAX_VALUE, 1, 4096));
            }
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new ChannelTarget(path, channel, new TargetGeometry(channel.size(), 1, 4096));
        } catch (NoSuchFileException e) {
            throw new TargetUnavailableException("target " + path + " does not exist (or its directory does not)", e, false);
        } catch (AccessDeniedException e) {
            throw new TargetUnavailableException("target " + path + " is not writable by this user (run as root?)", e, false);
        } catch (FileAlreadyExistsException e) {
            throw new TargetUnavailableException("target " + path + " could not be created: " + e.getMessage(), e, false);
        }
    }
}
