package io.github.s3flash.bootloader;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The packaged CLI's {@code image} commands as a shell runs them: with pipes, and with an environment. */
final class ImageCli {

    private ImageCli() {}

    /** The java command line of the CLI (module path, as the launcher runs it) with {@code jvmArgs}. */
    static List<String> command(List<String> jvmArgs, String... args) {
        List<String> command = new ArrayList<>(List.of(CliProcess.java().toString(), CliProcess.NATIVE_ACCESS));
        command.addAll(jvmArgs);
        command.addAll(List.of("-p", CliProcess.LIB + File.pathSeparator + CliProcess.JAR, "-m",
                "io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main"));
        command.addAll(List.of(args));
        return command;
    }

    /** {@code s3flash ARGS} with {@code stdin} piped in and stdout into {@code stdout} (either may be null). */
    static CliProcess.Result piped(Path stdin, Path stdout, Map<String, String> env, List<String> jvmArgs,
            String... args) throws IOException {
        String line = command(jvmArgs, args).stream().map(ImageCli::quote).collect(Collectors.joining(" "));
        if (stdin != null) {
            line = line + " < " + quote(stdin.toString());
        }
        if (stdout != null) {
            line = line + " > " + quote(stdout.toString());
        }
        return CliProcess.run(List.of("sh", "-c", line), env);
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
