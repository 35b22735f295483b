package io.github.s3flash.bootloader;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.index.Manifest;
import io.github.s3flash.api.index.SignatureCheck;
import io.github.s3flash.api.index.TrustPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3flash image inspect}: what an indexed image holds, from its tail only. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show an indexed image's codec, chunks, sizes, image digest and signatures, reading only the"
            + " end of the object (and a detached <object>.sshsig when there is one). Works on every source."},
        footer = {"", "Signature status: valid (by a key --trusted-keys allows), untrusted (made over this manifest,"
            + " but by a key not allowed, or no --trusted-keys given), invalid (malformed, another namespace, or"
            + " over other bytes), absent.", "", ImageCommand.EXIT_CODES})
final class ImageInspectCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ImageOptions.Image image;

    @Mixin
    private ImageOptions.Signatures signatures;

    @Option(names = "--json", description = "Print the same facts as one JSON object.")
    private boolean json;

    @Mixin
    private ImageOptions.Providers options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Options opts = Options.of(options.values);
            TrustPolicy policy = ImageSupport.policy(signatures.trustedKeys, null, signatures.principal);
            ProviderRegistry registry = ProviderRegistry.load();
            try (var opened = ImageSupport.open(registry, image.location(), opts)) {
                var found = ImageSupport.signatures(opened, registry, opts, signatures.signature, err);
                List<SignatureCheck> checks = policy.check(opened.index().manifest(), found);
                if (json) {
                    out.println(JsonText.of(facts(opened, checks)));
                } else {
                    text(out, opened, checks);
                }
                out.flush();
            }
            return ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            return ImageCommand.refuse(spec.commandLine(), "inspect", e);
        }
    }

    private static void text(PrintWriter out, ImageSupport.Opened opened, List<SignatureCheck> checks) {
        Manifest m = opened.index().manifest();
        out.println("indexed image " + ImageLocations.redact(opened.location()));
        out.println("  version:       " + opened.index().info().version());
        out.println("  codec:         " + m.codec());
        out.println("  chunk size:    " + ImageSupport.bytes(m.chunkSize()));
        out.println("  image bytes:   " + ImageSupport.bytes(m.imageLength()));
        out.println("  chunks:        " + m.chunkCount() + " (" + m.zeroChunks() + " all-zero)");
        out.println("  chunk frames:  " + ImageSupport.bytes(m.chunkFramesLength()));
        out.println("  object bytes:  " + ImageSupport.bytes(opened.index().objectLength()));
        out.println("  image digest:  " + m.digest());
        for (SignatureCheck c : checks) {
            out.println("  signature:     " + c.describe());
        }
        out.println("  read:          " + opened.index().bytesRead() + " bytes of the object (its tail)");
    }

    private static Map<String, Object> facts(ImageSupport.Opened opened, List<SignatureCheck> checks) {
        Manifest m = opened.index().manifest();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("location", ImageLocations.redact(opened.location()));
        facts.put("version", opened.index().info().version());
        facts.put("formatVersion", Manifest.FORMAT_VERSION);
        facts.put("codec", m.codec());
        facts.put("chunkSize", m.chunkSize());
        facts.put("imageLength", m.imageLength());
        facts.put("chunks", m.chunkCount());
        facts.put("zeroChunks", m.zeroChunks());
        facts.put("chunkFramesLength", m.chunkFramesLength());
        facts.put("objectLength", opened.index().objectLength());
        facts.put("manifestLength", m.length());
        facts.put("imageDigest", m.digest());
        List<Object> signatures = new ArrayList<>();
        for (SignatureCheck c : checks) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("status", c.status().label());
            s.put("source", c.source());
            s.put("keyType", c.key() == null ? null : c.key().type());
            s.put("fingerprint", c.key() == null ? null : c.key().fingerprint());
            s.put("principal", c.principal());
            s.put("reason", c.reason());
            signatures.add(s);
        }
        facts.put("signatures", signatures);
        facts.put("bytesRead", opened.index().bytesRead());
        return facts;
    }
}
