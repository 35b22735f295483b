package io.github.s3flash.bootloader.release;

import io.github.s3flash.bootloader.ExitCode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3flash initrd build}: archives a staged root file system tree as initrd.gz. */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Archive the tree under --root as a gzip-compressed newc cpio archive, the format the",
            "kernel unpacks as its initramfs: sorted, owner root, time 0 (reproducible); /dev/console and",
            "/dev/null are added as device nodes."})
final class InitrdBuildCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "The staged root file system.")
    private Path root;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "The initrd.gz to write.")
    private Path output;

    @Override
    public Integer call() throws IOException {
        var err = spec.commandLine().getErr();
        String missing = InitrdCommand.missingCompress();
        if (missing != null) {
            err.println("s3flash initrd build: " + missing);
            return ExitCode.USAGE;
        }
        if (!Files.isDirectory(root)) {
            err.println("s3flash initrd build: " + root + " is not a directory");
            return InitrdCommand.REFUSED;
        }
        Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
        try (var out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            NewcArchives.writeTree(root, out);
        }
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        spec.commandLine().getOut().println(output + ": " + Files.size(output) + " bytes");
        return ExitCode.OK;
    }
}
