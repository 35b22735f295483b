package io.github.s3flash.bootloader.release;

import io.github.s3flash.bootloader.ExitCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3flash grub configure}: what configure_bootloader.sh does, for build hosts. */
@Command(name = "configure", mixinStandardHelpOptions = true,
        description = {"Write grub/grub.cfg from grub/grub.cfg.in with root=, source= and s3flash.* options on",
            "the kernel command line, each checked against the schema boot mode applies (s3flash boot --help).",
            "Values may use only A-Z a-z 0-9 . _ ~ : / = + @ % , - (nothing can inject into grub.cfg).",
            "Checks that the backup of the old boot (boot.bak beside the release's directory) is where the",
            "restore will look, and records s3flash.bootfs=UUID=... when that directory is a file system of",
            "its own. On refusal grub.cfg is unchanged. The same as configure_bootloader.sh."})
final class GrubConfigureCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--boot", paramLabel = "DIR", defaultValue = "/boot",
            description = "Where the release is unpacked. Default: ${DEFAULT-VALUE}.")
    private Path boot;

    @Option(names = "--no-backup-check",
            description = "The release is not installed in the /boot GRUB reads (a build host, a test): skip the"
                    + " check of the backup and record nothing about the layout.")
    private boolean noBackupCheck;

    @Parameters(index = "0", paramLabel = "SOURCE", description = "The image: bucket/key (S3) or a URI.")
    private String source;

    @Parameters(index = "1", paramLabel = "ROOT", description = "The disk to flash: /dev/..., UUID=, LABEL=, ...")
    private String root;

    @Parameters(index = "2..*", paramLabel = "OPTION", description = "Further s3flash.<key>=<value> options.")
    private List<String> options = List.of();

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        try {
            String args = noBackupCheck ? GrubConfig.configureWithoutBackupCheck(boot, source, root, options)
                    : GrubConfig.configure(boot, source, root, options);
            spec.commandLine().getOut().println("configured " + boot.resolve("grub/grub.cfg") + ": " + args);
            return ExitCode.OK;
        } catch (IllegalArgumentException | IOException e) {
            err.println("s3flash grub configure: refused: " + e.getMessage() + "; grub.cfg is unchanged");
            return InitrdCommand.REFUSED;
        }
    }
}
