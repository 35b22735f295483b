package io.github.s3flash.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real command-line tool (the stock CLIs are the oracles) with files for input and output. */
public final class Cli {

    private Cli() {}

    /** Runs {@code command}, reading {@code stdin} (or nothing) and writing stdout to {@code stdout}. */
    public static void run(List<String> command, Path stdin, Path stdout) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(new ArrayList<>(command)).redirectOutput(stdout.toFile());
        Path err = Files.createTempFile("cli", ".err");
        pb.redirectError(err.toFile());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process p = pb.start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(command + " exited with " + p.exitValue() + ": "
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
