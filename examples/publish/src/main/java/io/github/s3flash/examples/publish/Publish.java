package io.github.s3flash.examples.publish;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.ManifestSigner;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.api.sshsig.SshPrivateKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A small publishing tool on the library, the Java side of what {@code s3flash image create} does:
 *
 * <pre>
 * Publish --image /dev/xvdg --dest s3://bucket/images/os.img.lz4 [--codec lz4|zstd] [--level N]
 *         [--chunk-size 4m] [--sign-key ~/.ssh/id_ed25519] [-o s3.endpoint=URL]...
 * </pre>
 *
 * Credentials and region come from the AWS default chains (environment, profile, instance role).
 */
public final class Publish {

    private Publish() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>(Map.of("--codec", "lz4", "--chunk-size", "4m"));
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length || !args[i].startsWith("-")) {
                usage("unexpected argument " + args[i]);
            } else if (args[i].equals("-o")) {
                String[] kv = args[++i].split("=", 2);
                options.put(kv[0], kv.length > 1 ? kv[1] : "");
            } else {
                a.put(args[i], args[++i]);
            }
        }
        if (!a.containsKey("--image") || !a.containsKey("--dest")) {
            usage("--image and --dest are required");
        }
        var registry = ProviderRegistry.load();
        Options encode = a.containsKey("--level") ? Options.empty().with("level", a.get("--level")) : Options.empty();
        long chunk = Options.of(Map.of("c", a.get("--chunk-size"))).getSize("c", 4 << 20);
        var settings = new WriterSettings((int) chunk, encode, 0);
        ManifestSigner signer = a.containsKey("--sign-key")
                ? ManifestSigner.of(SshPrivateKey.read(Path.of(a.get("--sign-key")))) : null;
        var published = new ImagePublisher(registry).publish(Path.of(a.get("--image")),
                ImageLocations.parse(a.get("--dest")), registry.codec(a.get("--codec")), settings, signer,
                Options.of(options), ChunkProgress.NONE);
        var m = published.image().manifest();
        System.out.println("published " + ImageLocations.redact(published.location()) + " (version " + published.version()
                + ")");
        System.out.println("  codec:         " + m.codec());
        System.out.println("  image bytes:   " + m.imageLength());
        System.out.println("  object bytes:  " + published.image().objectLength());
        System.out.println("  chunks:        " + m.chunkCount() + " (" + m.zeroChunks() + " all-zero)");
        System.out.println("  image digest:  " + m.digest());
        System.out.println("  signer:        " + (published.image().signature() == null ? "none"
                : published.image().signature().key()));
    }

    private static void usage(String problem) {
        System.err.println("publish: " + problem);
        System.err.println("usage: Publish --image PATH --dest URI [--codec lz4|zstd] [--level N] [--chunk-size 4m]"
                + " [--sign-key KEY] [-o KEY=VALUE]...");
        System.exit(2);
    }
}
