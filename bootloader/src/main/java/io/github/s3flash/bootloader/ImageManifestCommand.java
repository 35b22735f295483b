package io.github.s3flash.bootloader;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.sshsig.SshSignature;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3flash image manifest}: the manifest's bytes, to sign them elsewhere. */
@Command(name = "manifest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write the bytes of an indexed image's manifest (what a signature signs; their SHA-256 is the"
            + " image digest) to stdout or a file, reading only the object's tail. Sign them with a key s3flash cannot"
            + " use itself (passphrase, agent, security key), then hand the signature to s3flash image sign:"},
        footer = {"", "  s3flash image manifest s3://images/os.img.lz4 > manifest",
            "  ssh-keygen -Y sign -n " + SshSignature.IMAGE_NAMESPACE + " -f ~/.ssh/id_ed25519 manifest",
            "  s3flash image sign s3://images/os.img.lz4 --signature manifest.sig",
            "", ImageCommand.EXIT_CODES})
final class ImageManifestCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private ImageOptions.Image image;

    @Option(names = "--output", paramLabel = "FILE", description = "Write to this file instead of stdout.")
    private Path output;

    @Mixin
    private ImageOptions.Providers options;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        try (var opened = ImageSupport.open(ProviderRegistry.load(), image.location(), Options.of(options.values))) {
            var manifest = opened.index().manifest();
            try (OutputStream out = output == null ? new FileOutputStream(FileDescriptor.out)
                    : Files.newOutputStream(output)) {
                manifest.writeTo(out);
            }
            err.println("s3flash: wrote the " + manifest.length() + "-byte manifest of "
                    + ImageLocations.redact(opened.location()) + (output == null ? "" : " to " + output)
                    + " (image digest " + manifest.digest() + ")");
            err.flush();
            return ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            return ImageCommand.refuse(spec.commandLine(), "manifest", e);
        }
    }
}
