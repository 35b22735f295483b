package io.github.s3flash.bootloader;

import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.index.ChunkDecoder;
import io.github.s3flash.api.index.ChunkMismatchException;
import io.github.s3flash.api.index.ImageVerifier;
import io.github.s3flash.api.index.SignatureCheck;
import io.github.s3flash.api.index.TrustDecision;
import io.github.s3flash.api.index.TrustPolicy;
import io.github.s3flash.api.index.UntrustedImageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3flash image verify}: the whole object against its manifest, and the manifest against its trust. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Check an indexed image whole: its index, its signatures (an invalid one fails), the trust"
            + " asked for (--trusted-keys, --image-digest), then every chunk decoded and hashed against the"
            + " manifest, on every core. Names the first bad chunk by index and offsets."},
        footer = {"", ImageCommand.EXIT_CODES})
final class ImageVerifyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ImageOptions.Image image;

    @Mixin
    private ImageOptions.Signatures signatures;

    @Option(names = "--image-digest", paramLabel = "HEX",
            description = "The image digest (SHA-256 of the manifest) the image must have.")
    private String imageDigest;

    @Mixin
    private ImageOptions.Threads threads;

    @Mixin
    private ImageOptions.Providers options;

    @Mixin
    private ImageOptions.Progress progress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Options opts;
        TrustPolicy policy;
        PipelineSettings settings;
        int decoders;
        try {
            opts = Options.of(options.values);
            settings = PipelineSettings.from(opts);
            decoders = threads.count();
            policy = ImageSupport.policy(signatures.trustedKeys, imageDigest, signatures.principal);
        } catch (IOException | IllegalArgumentException e) {
            return ImageCommand.refuse(spec.commandLine(), "verify", e);
        }
        ChunkProgressPrinter printer = null;
        ProviderRegistry registry = ProviderRegistry.load();
        try (var opened = ImageSupport.open(registry, image.location(), opts)) {
            var manifest = opened.index().manifest();
            var found = ImageSupport.signatures(opened, registry, opts, signatures.signature, err);
            for (SignatureCheck c : policy.check(manifest, found)) {
                if (c.status() == SignatureCheck.Status.INVALID) {
                    return failed(err, "the " + c.source() + " signature is invalid: " + c.reason());
                }
            }
            TrustDecision trust = policy.decide(manifest, found);
            printer = new ChunkProgressPrinter(err, progress.mode, progress.interval(), manifest.imageLength(), "read");
            var result = ImageVerifier.verify(opened.index(), opened.image(), ChunkDecoder.of(registry, manifest),
                    settings, decoders, printer);
            printer.finish();
            out.println("verified " + ImageLocations.redact(opened.location()));
            out.println("  chunks:        " + result.chunks() + " of " + manifest.chunkCount() + ", each decoded and"
                    + " hashed (" + manifest.zeroChunks() + " all-zero)");
            out.println("  image bytes:   " + ImageSupport.bytes(result.imageBytes()));
            out.println("  object bytes:  " + ImageSupport.bytes(opened.index().objectLength()));
            out.println("  image digest:  " + manifest.digest());
            for (SignatureCheck c : trust.signatures()) {
                out.println("  signature:     " + c.describe());
            }
            out.println("  trust:         " + trust.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + ": "
                    + trust.detail());
            out.println("  time:          " + FlashCommand.describe(result.elapsed()));
            out.flush();
            return ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            if (printer != null) {
                printer.finish();
            }
            return e instanceof ChunkMismatchException || e instanceof CorruptImageException
                    || e instanceof UntrustedImageException ? failed(err, e.getMessage())
                    : ImageCommand.refuse(spec.commandLine(), "verify", e);
        }
    }

    private static int failed(PrintWriter err, String why) {
        err.println("s3flash image verify: verification failed: " + why);
        err.flush();
        return ExitCode.VERIFICATION_FAILED;
    }
}
