package io.github.s3flash.bootloader;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.sshsig.SshPrivateKey;
import io.github.s3flash.api.sshsig.SshSignature;
import io.github.s3flash.api.sshsig.SshSignatureException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3flash image sign}: a detached signature beside an image, without rewriting it. */
@Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sign an indexed image after it was made: write <image>.sshsig beside it (to S3 too), an"
            + " OpenSSH signature of its manifest in namespace " + SshSignature.IMAGE_NAMESPACE + ", exactly what"
            + " ssh-keygen -Y sign writes. With --key s3flash signs (an unencrypted OpenSSH key); with --signature it"
            + " publishes a signature made elsewhere, after checking that it signs this image's manifest."},
        footer = {"", "Examples:",
            "  s3flash image sign s3://images/os.img.lz4 --key ~/.ssh/id_ed25519",
            "  s3flash image sign s3://images/os.img.lz4 --signature manifest.sig   # made by ssh-keygen -Y sign",
            "", ImageCommand.EXIT_CODES})
final class ImageSignCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URI", description = "The image: s3://, file: or a path.")
    private String image;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private With with;

    static final class With {
        @Option(names = "--key", paramLabel = "KEY", description = "Sign with this unencrypted OpenSSH private key.")
        Path key;

        @Option(names = "--signature", paramLabel = "FILE",
                description = "Publish this armored signature (ssh-keygen -Y sign -n " + SshSignature.IMAGE_NAMESPACE
                        + " over the manifest).")
        Path signature;
    }

    @Option(names = "--output", paramLabel = "URI|PATH|-",
            description = "Where the signature goes. Default: <image>.sshsig beside the image.")
    private String output;

    @Mixin
    private ImageOptions.Providers options;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Options opts = Options.of(options.values);
            ProviderRegistry registry = ProviderRegistry.load();
            SshPrivateKey key = with.key == null ? null : SshPrivateKey.read(with.key);
            try (var opened = ImageSupport.open(registry, ImageLocations.parse(image), opts)) {
                byte[] manifest = opened.index().manifest().bytes();
                SshSignature signature;
                if (key != null) {
                    signature = key.sign(manifest, SshSignature.IMAGE_NAMESPACE);
                } else {
                    signature = SshSignature.parseArmored(Files.readAllBytes(with.signature));
                    try {
                        signature.verify(manifest, SshSignature.IMAGE_NAMESPACE);
                    } catch (SshSignatureException e) {
                        throw new SshSignatureException("the signature in " + with.signature + " is not one of this"
                                + " image's manifest: " + e.getMessage() + " (make it with s3flash image manifest "
                                + image + " > manifest; ssh-keygen -Y sign -n " + SshSignature.IMAGE_NAMESPACE
                                + " -f KEY manifest)", e);
                    }
                }
                byte[] armored = signature.armored().getBytes(StandardCharsets.US_ASCII);
                String written = write(registry, opts, opened.location(), armored);
                if (written != null) {
                    out.println("signed " + ImageLocations.redact(opened.location()));
                    out.println("  signature:     " + written);
                    out.println("  signer:        " + signature.key() + (key == null || key.comment().isEmpty() ? ""
                            : " (" + key.comment() + ")"));
                    out.println("  image digest:  " + opened.index().digest());
                    out.flush();
                }
            }
            return ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            return ImageCommand.refuse(spec.commandLine(), "sign", e);
        }
    }

    /** Writes the signature where asked; returns where, or null when it went to stdout. */
    private String write(ProviderRegistry registry, Options options, URI image, byte[] armored) throws IOException {
        if ("-".equals(output)) {
            System.out.write(armored);
            System.out.flush();
            return null;
        }
        URI target = output != null ? ImageLocations.parse(output) : IndexedImage.detachedSignatureLocation(image);
        try (PublishStream stream = registry.source(target, options).publish(target, options)) {
            stream.write(armored);
            stream.commit();
        }
        return ImageLocations.redact(target);
    }
}
