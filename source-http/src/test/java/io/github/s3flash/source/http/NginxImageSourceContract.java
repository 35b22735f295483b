package io.github.s3flash.source.http;

import io.github.s3flash.api.ImageSource;
import io.github.s3flash.testkit.ImageSourceContract;
import io.github.s3flash.testkit.NginxServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** The source contract for the http source over an nginx that serves the files of a directory. */
abstract class NginxImageSourceContract extends ImageSourceContract {

    /** The server of this test class. */
    protected abstract NginxServer nginx();

    /** The directory it serves. */
    protected abstract Path www();

    /**
     * Replaces {@code file} the way a publisher does: a new file renamed over it, with a new
     * modification time (nginx's ETag and Last-Modified come from it).
     */
    static void replaceFile(Path file, byte[] bytes) throws IOException {
        Path temp = Files.write(file.resolveSibling(file.getFileName() + ".new"), bytes);
        Files.setLastModifiedTime(temp, FileTime.from(Instant.now().plusSeconds(3600)));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    protected ImageSource source() {
        return new HttpImageSource();
    }

    @Override
    protected URI store(String name, byte[] bytes) throws IOException {
        Files.write(www().resolve(name), bytes);
        return nginx().uri("/" + name);
    }

    @Override
    protected void replace(String name, URI uri, byte[] bytes) throws IOException {
        replaceFile(www().resolve(name), bytes);
    }

    @Override
    protected URI missing() {
        return nginx().uri("/no-such-image.img");
    }
}
