package io.github.s3flash.examples.publish;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Publishes a disk image (a file or a block device) to S3 the way {@code s3flash} flashes it: read,
 * hash (SHA-256 of the raw image, what {@code flash --sha256} checks), compress with any installed
 * codec, and stream into a multipart upload — no temporary file, memory of one part.
 */
public final class ImagePublisher {

    /** What was published. */
    public record Published(URI location, String codec, long imageBytes, long compressedBytes, int parts,
            String sha256, String etag) {}

    private final S3Client s3;

    public ImagePublisher(S3Client s3) {
        this.s3 = requireNonNull(s3, "s3");
    }

    public Published publish(Path image, String bucket, String key, Codec codec, Options encodeOptions, int partSize)
            throws IOException {
        requireNonNull(image, "image");
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        var upload = new MultipartUploadStream(s3, bucket, key, partSize);
        long imageBytes = 0;
        try (InputStream in = new DigestInputStream(Files.newInputStream(image), sha256);
                OutputStream out = codec.encode(upload, encodeOptions)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                imageBytes += n;
            }
        } catch (IOException | RuntimeException e) {
            upload.abort();
            throw e;
        }
        return new Published(URI.create("s3://" + bucket + "/" + key), codec.name(), imageBytes, upload.uploaded(),
                upload.parts(), HexFormat.of().formatHex(sha256.digest()), upload.etag());
    }
}
