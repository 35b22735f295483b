package io.github.s3flash.bootloader;

import io.github.s3flash.api.sshsig.SshPrivateKey;
import io.github.s3flash.api.sshsig.SshSignature;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code s3flash image}: make, inspect, verify and sign indexed images. */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = {"Indexed images: one lz4 or zstd object that lz4 -d / zstd -d decode to the disk image,"
            + " with a manifest (per chunk: offsets, SHA-256, zero flag), an optional OpenSSH signature and a"
            + " footer at its end. The format: docs/image-format.md."},
        subcommands = {ImageCreateCommand.class, ImageInspectCommand.class, ImageVerifyCommand.class,
            ImageManifestCommand.class, ImageSignCommand.class},
        footer = {"", "Examples:",
            "  s3flash image create --source /dev/xvdg --target s3://images/os.img.lz4 --sign-key ~/.ssh/id_ed25519",
            "  s3flash image inspect s3://images/os.img.lz4 --trusted-keys allowed_signers",
            "  s3flash image verify s3://images/os.img.lz4 --trusted-keys allowed_signers",
            "", ImageCommand.EXIT_CODES})
final class ImageCommand implements Callable<Integer> {

    static final String EXIT_CODES = """
            Exit codes:
              0  ok
              1  internal error (a bug; please report it)
              2  bad usage
              3  refused: bad input (missing image, not an indexed image, unusable key, ...); nothing was published
              5  verification failed: a chunk, the manifest or the signature is not what it must be""";

    /** The library's advice for a key it cannot sign with, as the steps on this command line. */
    private static final String SIGN_IN_TWO_STEPS = "sign in two steps instead: s3flash image manifest URI > manifest;"
            + " ssh-keygen -Y sign -n " + SshSignature.IMAGE_NAMESPACE + " -f KEY manifest; s3flash image sign URI"
            + " --signature manifest.sig (ssh-keygen asks for the passphrase, or uses the agent with -f KEY.pub)";

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        err.println("s3flash image: give a subcommand: create, inspect, verify, manifest or sign");
        spec.commandLine().usage(err);
        return ExitCode.USAGE;
    }

    /** The exit code and message of a refusal: usage for caller mistakes, else refused. */
    static int refuse(CommandLine cli, String command, Exception e) {
        var err = cli.getErr();
        if (e instanceof IllegalArgumentException || e instanceof io.github.s3flash.api.InvalidOptionException) {
            err.println("s3flash image " + command + ": " + e.getMessage());
            err.flush();
            return ExitCode.USAGE;
        }
        err.println("s3flash image " + command + ": refused: " + (e instanceof io.github.s3flash.api.FlashException
                ? e.getMessage().replace(SshPrivateKey.SIGN_ELSEWHERE, SIGN_IN_TWO_STEPS) : "I/O error: " + e));
        err.flush();
        return ExitCode.REFUSED;
    }
}
