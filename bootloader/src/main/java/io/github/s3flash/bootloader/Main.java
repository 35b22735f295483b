package io.github.s3flash.bootloader;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code s3flash} command. */
@Command(
        name = "s3flash",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Flash a compressed full-disk image from object storage (S3, HTTP, files, plugins) onto a disk.",
        footer = {"", ExitCode.HELP},
        subcommands = {FlashCommand.class, BootCommand.class, ProvidersCommand.class, PluginsCommand.class,
            ImageCommand.class,
            io.github.s3flash.bootloader.release.InitrdCommand.class,
            io.github.s3flash.bootloader.release.GrubCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        var cli = new CommandLine(new Main());
        cli.setExitCodeExceptionMapper(e -> ExitCode.INTERNAL);
        cli.setParameterExceptionHandler((e, a) -> {
            var err = e.getCommandLine().getErr();
            err.println("s3flash: " + e.getMessage());
            e.getCommandLine().usage(err);
            return ExitCode.USAGE;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getModule().getDescriptor() != null
                    ? Main.class.getModule().getDescriptor().rawVersion().orElse(null)
                    : null;
            if (v == null) {
                v = Main.class.getPackage().getImplementationVersion();
            }
            return new String[] {"s3flash " + (v == null ? "(development build)" : v),
                "Java " + Runtime.version()};
        }
    }
}
