package io.github.s3flash.examples.publish;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.IndexedImageWriter;
import io.github.s3flash.api.index.ManifestSigner;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.api.index.WrittenImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Publishes a disk image (a file or a block device) as an indexed image: chunks compressed on every
 * core, a manifest with every chunk's SHA-256, optionally signed, streamed to wherever a source can
 * write (an S3 multipart upload, a file renamed into place), whole or not at all.
 */
public final class ImagePublisher {

    /** What was published: where, its version (ETag, file identity), and the image's manifest. */
    public record Published(URI location, String version, WrittenImage image) {}

    private final ProviderRegistry registry;

    public ImagePublisher(ProviderRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    /**
     * Reads {@code image} once and publishes it at {@code destination}.
     *
     * @param signer signs the manifest, or null for an unsigned image
     * @param options the destination source's options ({@code s3.endpoint}, {@code s3.upload.part-size}, ...)
     */
    public Published publish(Path image, URI destination, Codec codec, WriterSettings settings, ManifestSigner signer,
            Options options, ChunkProgress progress) throws IOException {
        requireNonNull(image, "image");
        requireNonNull(destination, "destination");
        var writer = new IndexedImageWriter(codec, settings);
        try (InputStream in = Files.newInputStream(image);
                PublishStream published = registry.source(destination, options).publish(destination, options);
                OutputStream out = new BufferedOutputStream(published, 1 << 20)) {
            WrittenImage written = writer.write(in, out, signer, progress);
            out.flush();
            return new Published(destination, published.commit(), written);
        }
    }
}
