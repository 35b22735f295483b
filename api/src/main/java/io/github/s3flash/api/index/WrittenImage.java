package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.sshsig.SshSignature;
import java.time.Duration;

/**
 * What {@link IndexedImageWriter} wrote.
 *
 * @param manifest the manifest: codec, chunks, image length, digest
 * @param objectLength bytes of the indexed image, frames, manifest, signature and footer together
 * @param signature the embedded signature, or null when unsigned
 * @param elapsed wall time of the write
 */
public record WrittenImage(Manifest manifest, long objectLength, SshSignature signature, Duration elapsed) {

    public WrittenImage {
        requireNonNull(manifest, "manifest");
        requireNonNull(elapsed, "elapsed");
    }

    /** The image digest: SHA-256 of the manifest's bytes. */
    public String digest() {
        return manifest.digest();
    }
}
