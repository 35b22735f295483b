package io.github.s3flash.api.internal;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.PublishStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file written all or nothing: into a hidden temporary file beside it, which {@link #commit()}
 * forces to disk and renames over the target in one atomic step (then forces the directory, so the
 * rename survives a crash); an abort deletes it. A reader never sees half a file under the name.
 */
final class FilePublishStream extends PublishStream {

    private static final System.Logger LOG = System.getLogger(FilePublishStream.class.getName());

    private final URI location;
    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private final OutputStream out;

    private FilePublishStream(URI location, Path target, Path temporary, FileChannel channel) {
        this.location = location;
        this.target = target;
        this.temporary = temporary;
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
    }

    static FilePublishStream open(URI location, Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (Files.isDirectory(target)) {
            throw new FlashException(target + " is a directory; give the path of the image file to write");
        }
        if (!Files.isDirectory(dir)) {
            throw new ImageNotFoundException("directory " + dir + " does not exist; create it first");
        }
        Path temporary = dir.resolve("." + target.getFileName() + "." + Long.toHexString(
                ThreadLocalRandom.current().nextLong()) + ".s3flash-partial");
        try {
            // Not createTempFile: its 0600 mode would become the image's; this honours the umask like any file.
            var channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new FilePublishStream(location, target, temporary, channel);
        } catch (AccessDeniedException e) {
            throw new ImageAccessDeniedException("cannot write in " + dir + ": permission denied", e);
        } catch (NoSuchFileException e) {
            throw new ImageNotFoundException("directory " + dir + " does not exist; create it first", e);
        }
    }

    @Override
    public URI location() {
        return location;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        out.write(b, off, len);
    }

    @Override
    protected String complete() throws IOException {
        channel.force(true);
        channel.close();
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
        var attributes = Files.readAttributes(target, BasicFileAttributes.class);
        return attributes.fileKey() + ":" + attributes.size() + ":" + attributes.lastModifiedTime().toInstant();
    }

    @Override
    protected void discard() {
        try {
            channel.close();
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the partial file " + temporary + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "publishing " + target + " (via " + temporary.getFileName() + ")";
    }
}
