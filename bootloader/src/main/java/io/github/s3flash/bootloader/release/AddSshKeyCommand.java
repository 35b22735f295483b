package io.github.s3flash.bootloader.release;

import io.github.s3flash.bootloader.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3flash initrd add-ssh-key}: what add_ssh_key.sh does, for build hosts. */
@Command(name = "add-ssh-key", mixinStandardHelpOptions = true,
        description = {"Append a gzip-compressed newc cpio archive holding /root/.ssh/authorized_keys to the",
            "initrd (the kernel unpacks concatenated archives in order; the last authorized_keys wins).",
            "Only SSH public key lines, blank lines and # comments are accepted; on refusal the initrd is",
            "unchanged. Needs room beside the initrd for a second one while it runs.",
            "The same as add_ssh_key.sh."})
final class AddSshKeyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--initrd", paramLabel = "FILE", defaultValue = "initrd.gz",
            description = "The initrd to extend. Default: ${DEFAULT-VALUE}.")
    private Path initrd;

    @Parameters(paramLabel = "AUTHORIZED_KEYS", description = "The authorized_keys file to install for root.")
    private Path keys;

    @Override
    public Integer call() throws IOException {
        var err = spec.commandLine().getErr();
        String missing = InitrdCommand.missingCompress();
        if (missing != null) {
            err.println("s3flash initrd add-ssh-key: " + missing);
            return ExitCode.USAGE;
        }
        byte[] file;
        try {
            if (!Files.isRegularFile(initrd)) {
                throw new IllegalArgumentException(initrd + " is not a file (the initrd.gz to extend)");
            }
            if (Files.size(keys) > SshKeys.MAX_BYTES) {
                throw new IllegalArgumentException(keys + " is larger than " + SshKeys.MAX_BYTES + " bytes");
            }
            file = SshKeys.check(Files.readAllBytes(keys));
            checkRoom(initrd, "a key");
        } catch (IllegalArgumentException | IOException e) {
            err.println("s3flash initrd add-ssh-key: refused: " + e.getMessage() + "; " + initrd + " is unchanged");
            return InitrdCommand.REFUSED;
        }
        var member = new ByteArrayOutputStream();
        NewcArchives.writeAuthorizedKeys(file, member);
        NewcArchives.append(initrd, member.toByteArray());
        spec.commandLine().getOut().println("added " + keys + " to " + initrd + " as /root/.ssh/authorized_keys");
        return ExitCode.OK;
    }

    /**
     * The new initrd is written beside the old one before it replaces it, so the file system needs room
     * for a second one and the key's archive (as initrd-append.sh reckons it: 192 KiB covers the largest
     * key file twice and the file system's own blocks). add-trusted-key checks the same.
     */
    static void checkRoom(Path initrd, String adding) throws IOException {
        long needKib = (Files.size(initrd) + 1023) / 1024 + 192;
        long freeKib = Files.getFileStore(initrd).getUsableSpace() / 1024;
        if (freeKib < needKib) {
            throw new IllegalArgumentException(initrd.toAbsolutePath().getParent() + " has " + freeKib + " KiB free,"
                    + " and adding " + adding + " writes a new initrd.gz beside the old one before it replaces it (" + needKib
                    + " KiB): make " + (needKib - freeKib) + " KiB more room and run it again");
        }
    }
}
