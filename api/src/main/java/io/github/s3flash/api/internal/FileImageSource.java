package io.github.s3flash.api.internal;

import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.RangeInputStream;
import io.github.s3flash.api.SourceChangedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * {@code file:} URIs (and plain paths, which {@link io.github.s3flash.api.ImageLocations} turns into
 * them). The version pin is the file's identity, size and modification time: a file replaced or
 * rewritten during a flash fails with {@link SourceChangedException}.
 */
public final class FileImageSource implements ImageSource {

    @Override
    public String name() {
        return "file";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public PinnedImage open(URI location, Options options) throws IOException {
        Path path = pathOf(location);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new ImageNotFoundException("image file " + path + " does not exist; check the path", e);
        } catch (AccessDeniedException e) {
            throw new ImageAccessDeniedException("image file " + path + " is not readable by this user", e);
        }
        if (!attributes.isRegularFile()) {
            throw new ImageNotFoundException("image " + path + " is not a regular file; give the path of an image file");
        }
        if (!Files.isReadable(path)) {
            throw new ImageAccessDeniedException("image file " + path + " is not readable by this user");
        }
        var info = new ImageInfo(location, attributes.size(), pin(attributes), true, 1);
        return new FileImage(path, info);
    }

    /** A file written beside its final name and renamed into place on commit. */
    @Override
    public io.github.s3flash.api.PublishStream publish(URI location, Options options) throws IOException {
        return FilePublishStream.open(location, pathOf(location));
    }

    static Path pathOf(URI location) throws ImageNotFoundException {
        try {
            if (location.isOpaque()) {
                return Path.of(location.getSchemeSpecificPart()).toAbsolutePath();
            }
            return Path.of(location);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new ImageNotFoundException("'" + ImageLocations.redact(location) + "' is not a usable file URI; give"
                    + " a local path or file:/path", e);
        }
    }

    private static String pin(BasicFileAttributes a) {
        return a.fileKey() + ":" + a.size() + ":" + a.lastModifiedTime().toInstant();
    }

    private record FileImage(Path path, ImageInfo info) implements PinnedImage {

        @Override
        public InputStream openRange(long offset, long length) throws IOException {
            long end = info.rangeEnd(offset, length);
            checkPin();
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            return new RangeStream(channel, offset, end);
        }

        private void checkPin() throws IOException {
            String now;
            try {
                now = pin(Files.readAttributes(path, BasicFileAttributes.class));
            } catch (NoSuchFileException e) {
                throw new SourceChangedException("image file " + path + " was removed during the flash", e);
            }
            if (!now.equals(info.version())) {
                throw new SourceChangedException("image file " + path + " changed during the flash (pinned "
                        + info.version() + ", now " + now + "); flash again to take the new version");
            }
        }

        @Override
        public void close() {}

        /** A range of the file; at its end the pin is checked again, so an in-place rewrite is caught. */
        private final class RangeStream extends RangeInputStream {
            private final FileChannel channel;
            private final long start;

            RangeStream(FileChannel channel, long start, long end) {
                super(path + " bytes " + start + "-" + (end - 1), end - start);
                this.channel = channel;
                this.start = start;
            }

            @Override
            protected int readUpstream(byte[] b, int off, int len) throws IOException {
                return channel.read(ByteBuffer.wrap(b, off, len), start + position());
            }

            @Override
            protected void completed() throws IOException {
                checkPin();
            }

            @Override
            protected void release(boolean complete) throws IOException {
                channel.close();
            }
        }
    }
}
