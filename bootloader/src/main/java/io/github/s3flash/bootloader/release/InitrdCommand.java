package io.github.s3flash.bootloader.release;

import picocli.CommandLine.Command;

/** {@code s3flash initrd}: build the release's initrd and add SSH keys to it (build hosts). */
@Command(name = "initrd", mixinStandardHelpOptions = true,
        description = "Build the bootloader's initrd.gz (gzip-compressed newc cpio) and add SSH keys and trusted"
                + " image signing keys to it.",
        subcommands = {InitrdBuildCommand.class, AddSshKeyCommand.class, AddTrustedKeyCommand.class},
        footer = {"", "Exit codes: 0 done, 2 bad usage, 3 refused (bad input; no file was changed)."})
public final class InitrdCommand {

    /** Refused input: the files are unchanged. */
    static final int REFUSED = 3;

    /** The release commands need Commons Compress on the module path, resolved (it is an optional module). */
    static String missingCompress() {
        try {
            Class.forName("org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream", false,
                    InitrdCommand.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "Apache Commons Compress is not available: put commons-compress (and commons-io, commons-lang3, "
                    + "commons-codec) on the module path and run java with --add-modules org.apache.commons.compress";
        }
    }
}
