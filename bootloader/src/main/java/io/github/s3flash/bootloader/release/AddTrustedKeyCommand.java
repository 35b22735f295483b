package io.github.s3flash.bootloader.release;

import io.github.s3flash.api.sshsig.AllowedSigners;
import io.github.s3flash.bootloader.ExitCode;
import io.github.s3flash.bootloader.boot.BootService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3flash initrd add-trusted-key}: what add_trusted_key.sh does, for build hosts. */
@Command(name = "add-trusted-key", mixinStandardHelpOptions = true,
        description = {"Append a gzip-compressed newc cpio archive holding /etc/s3flash/allowed_signers to the",
            "initrd. Boot mode then flashes only indexed images signed by one of its keys (or pinned with",
            "s3flash.digest=), and refuses anything else before the first write, restoring the old boot.",
            "The file is an OpenSSH allowed_signers file (ssh-keygen(1), ALLOWED SIGNERS); the last one added",
            "wins. On refusal the initrd is unchanged. The same as add_trusted_key.sh."})
final class AddTrustedKeyCommand implements Callable<Integer> {

    /** The largest allowed_signers file accepted. */
    static final int MAX_BYTES = 64 * 1024;

    @Spec
    private CommandSpec spec;

    @Option(names = "--initrd", paramLabel = "FILE", defaultValue = "initrd.gz",
            description = "The initrd to extend. Default: ${DEFAULT-VALUE}.")
    private Path initrd;

    @Parameters(paramLabel = "ALLOWED_SIGNERS", description = "The allowed_signers file to install.")
    private Path signers;

    @Override
    public Integer call() throws IOException {
        var err = spec.commandLine().getErr();
        String missing = InitrdCommand.missingCompress();
        if (missing != null) {
            err.println("s3flash initrd add-trusted-key: " + missing);
            return ExitCode.USAGE;
        }
        byte[] file;
        try {
            if (!Files.isRegularFile(initrd)) {
                throw new IllegalArgumentException(initrd + " is not a file (the initrd.gz to extend)");
            }
            if (Files.size(signers) > MAX_BYTES) {
                throw new IllegalArgumentException(signers + " is larger than " + MAX_BYTES + " bytes");
            }
            file = check(Files.readAllBytes(signers), signers.toString());
            AddSshKeyCommand.checkRoom(initrd, "trusted keys");
        } catch (IllegalArgumentException | IOException e) {
            err.println("s3flash initrd add-trusted-key: refused: " + e.getMessage() + "; " + initrd
                    + " is unchanged");
            return InitrdCommand.REFUSED;
        }
        var member = new ByteArrayOutputStream();
        NewcArchives.writeTrustedKeys(file, member);
        NewcArchives.append(initrd, member.toByteArray());
        spec.commandLine().getOut().println("added " + signers + " to " + initrd + " as " + BootService.TRUSTED_KEYS);
        return ExitCode.OK;
    }

    /**
     * The file unchanged when boot mode can use it: printable ASCII lines ending in a newline, parsed
     * as boot mode parses it, with at least one key.
     */
    static byte[] check(byte[] file, String name) throws IOException {
        if (file.length == 0 || file[file.length - 1] != '\n') {
            throw new IllegalArgumentException("the allowed_signers file must end with a newline");
        }
        for (byte b : file) {
            if (b != '\n' && (b < 0x20 || b > 0x7e)) {
                throw new IllegalArgumentException("the allowed_signers file holds a control or non-ASCII byte (0x"
                        + Integer.toHexString(b & 0xff) + ")");
            }
        }
        AllowedSigners parsed = AllowedSigners.parse(new String(file, StandardCharsets.US_ASCII), name,
                ZoneOffset.UTC);
        if (parsed.entries().isEmpty()) {
            throw new IllegalArgumentException("the allowed_signers file holds no key");
        }
        return file;
    }
}
