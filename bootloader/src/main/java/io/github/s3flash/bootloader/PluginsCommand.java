package io.github.s3flash.bootloader;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3flash plugins add}: optional providers in one step. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "Install optional providers (plugins) into the plugins directory the launcher reads.",
        subcommands = PluginsCommand.Add.class)
final class PluginsCommand implements Callable<Integer> {

    /** The launcher's plugins directories (colon-separated); plugins are added to the first. */
    static final String PLUGINS_ENV = "S3FLASH_PLUGINS";
    /** The repository the launcher runs from, where the project's optional providers are built. */
    static final String HOME_ENV = "S3FLASH_HOME";

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Copy a plugin and the jars it needs into the plugins directory, once: a module the CLI"
                    + " already has is not copied again, a plugin already installed is refused.",
                "DIR holds the plugin's jar and the jars it needs, and classpath/MODULE/ for jars that cannot be"
                    + " modules; NAME is an optional provider built with s3flash: gcs (gs:// images)."},
            footer = {"", "Examples:",
                "  s3flash plugins add gcs",
                "  s3flash plugins add examples/plugin/target/plugin",
                "", "Exit codes: 0 installed, 2 bad usage, 3 refused (nothing was copied)."})
    static final class Add implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Parameters(paramLabel = "DIR|NAME", description = "A plugin directory, or gcs.")
        private String plugin;

        @Option(names = "--dir", paramLabel = "DIR",
                description = "The plugins directory. Default: the first of $" + PLUGINS_ENV + ", which ./s3flash sets"
                        + " (./plugins unless you set it).")
        private Path dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path pluginsDir = dir;
            String env = System.getenv(PLUGINS_ENV);
            if (pluginsDir == null && env != null && !env.isBlank()) {
                pluginsDir = Path.of(env.split(File.pathSeparator)[0]);
            }
            if (pluginsDir == null) {
                err.println("s3flash plugins add: which plugins directory? Give --dir DIR (the ./s3flash launcher sets $"
                        + PLUGINS_ENV + " to ./plugins)");
                return ExitCode.USAGE;
            }
            String modulePath = System.getProperty("jdk.module.path", "");
            List<Path> entries = Arrays.stream(modulePath.split(File.pathSeparator))
                    .filter(s -> !s.isEmpty()).map(Path::of).toList();
            String home = System.getenv(HOME_ENV);
            try {
                Path from = PluginInstaller.resolve(plugin, home == null || home.isBlank() ? null : Path.of(home));
                var outcome = new PluginInstaller(pluginsDir, entries).install(from);
                outcome.plugins().forEach((module, kind) -> out.println("plugin " + module + " (" + kind + ") from " + from));
                outcome.modules().forEach(p -> out.println("  module path: copied " + p));
                outcome.classPath().forEach((p, n) -> out.println("  class path:  copied " + n + " jars into " + p
                        + " (for module " + p.getFileName() + ")"));
                outcome.present().forEach(p -> out.println("  module path: has " + p + " already"));
                out.println("installed into " + pluginsDir + "; s3flash providers lists it");
                out.flush();
                return ExitCode.OK;
            } catch (IOException e) {
                err.println("s3flash plugins add: " + e.getMessage() + " (nothing was copied)");
                return ExitCode.REFUSED;
            }
        }
    }
}
