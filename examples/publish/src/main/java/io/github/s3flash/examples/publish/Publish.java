package io.github.s3flash.examples.publish;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Java replacement for the original's {@code upload_ami_to_s3.sh}:
 *
 * <pre>
 * Publish --image /dev/xvdg --dest s3://bucket/images/os.img.lz4 [--codec lz4|zstd] [--level N]
 *         [--part-size 16m] [--endpoint URL] [--path-style]
 * </pre>
 *
 * Credentials and region come from the AWS default chains (environment, profile, instance role).
 */
public final class Publish {

    private Publish() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>(Map.of("--codec", "lz4", "--part-size", "16m"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--path-style")) {
                a.put("--path-style", "true");
            } else if (i + 1 < args.length && args[i].startsWith("--")) {
                a.put(args[i], args[++i]);
            } else {
                usage("unexpected argument " + args[i]);
            }
        }
        if (!a.containsKey("--image") || !a.containsKey("--dest")) {
            usage("--image and --dest are required");
        }
        URI dest = URI.create(a.get("--dest"));
        if (!"s3".equals(dest.getScheme()) || dest.getHost() == null || dest.getPath().length() < 2) {
            usage("--dest must be s3://bucket/key");
        }
        Options options = Options.of(a.containsKey("--level") ? Map.of("level", a.get("--level")) : Map.of());
        int partSize = (int) Options.of(Map.of("p", a.get("--part-size"))).getSize("p", 16 << 20);

        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                // S3-compatible stores (and S3Proxy in the tests) do not all accept the newer checksum headers.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (a.containsKey("--endpoint")) {
            builder.endpointOverride(URI.create(a.get("--endpoint")));
        }
        builder.forcePathStyle(Boolean.parseBoolean(a.getOrDefault("--path-style", "false")));
        try (S3Client s3 = builder.build()) {
            var codec = ProviderRegistry.load().codec(a.get("--codec"));
            var published = new ImagePublisher(s3).publish(Path.of(a.get("--image")), dest.getHost(),
                    dest.getPath().substring(1), codec, options, partSize);
            System.out.println("published " + published.location());
            System.out.println("  codec:            " + published.codec());
            System.out.println("  image bytes:      " + published.imageBytes());
            System.out.println("  compressed bytes: " + published.compressedBytes() + " in " + published.parts()
                    + " parts");
            System.out.println("  sha256:           " + published.sha256());
            System.out.println("  etag:             " + published.etag());
            System.out.println("flash it with: s3flash flash --source " + published.location()
                    + " --target <disk> --sha256 " + published.sha256());
        }
    }

    private static void usage(String problem) {
        System.err.println("publish: " + problem);
        System.err.println("usage: Publish --image PATH --dest s3://bucket/key [--codec lz4|zstd] [--level N]"
                + " [--part-size 16m] [--endpoint URL] [--path-style]");
        System.exit(2);
    }
}
