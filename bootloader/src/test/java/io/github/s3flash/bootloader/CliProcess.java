package io.github.s3flash.bootloader;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the packaged {@code s3flash} CLI in a JVM of its own, the way users and scripts run it. */
final class CliProcess {

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static final Path LIB = Path.of(System.getProperty("s3flash.lib", "target/lib"));
    static final Path JAR = Path.of(System.getProperty("s3flash.jar", "target/s3flash-bootloader.jar"));
    private static final String MAIN = "io.github.s3flash.bootloader.Main";
    /** The modules that load native code (JNI codecs, the FFM block sink), as the launcher names them. */
    static final String NATIVE_ACCESS =
            "--enable-native-access=ALL-UNNAMED,org.lz4.java,com.github.luben.zstd_jni,io.github.s3flash.sink.blockdev,"
                    + "io.github.s3flash.bootloader";

    private CliProcess() {}

    static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The CLI on the module path, as the launcher runs it. */
    static Result modulePath(List<String> jvmArgs, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java().toString(), NATIVE_ACCESS));
        command.addAll(jvmArgs);
        command.addAll(List.of("-p", LIB + File.pathSeparator + JAR, "-m", "io.github.s3flash.bootloader/" + MAIN));
        command.addAll(List.of(args));
        return run(command);
    }

    static Result modulePath(String... args) throws IOException {
        return modulePath(List.of(), args);
    }

    /** The CLI on the module path with extra environment variables. */
    static Result modulePathWithEnv(java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java().toString(), NATIVE_ACCESS));
        command.addAll(List.of("-p", LIB + File.pathSeparator + JAR, "-m", "io.github.s3flash.bootloader/" + MAIN));
        command.addAll(List.of(args));
        return run(command, env);
    }

    /** The CLI with every jar on the class path: providers are found through META-INF/services. */
    static Result classPath(String... args) throws IOException {
        return classPath(List.of(), args);
    }

    /** The CLI on the class path, with {@code extra} jars after its own. */
    static Result classPath(List<Path> extra, String... args) throws IOException {
        String cp;
        try (Stream<Path> jars = Files.list(LIB)) {
            cp = Stream.of(jars.map(Path::toString), Stream.of(JAR.toString()), extra.stream().map(Path::toString))
                    .flatMap(s -> s)
                    .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        }
        List<String> command = new ArrayList<>(List.of(java().toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", cp, MAIN));
        command.addAll(List.of(args));
        return run(command);
    }

    /** A CLI started on the module path, whose stderr lines can be awaited while it runs. */
    static final class Running {
        private final Process process;
        private final List<String> errLines = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final CompletableFuture<String> out;
        private final CompletableFuture<Void> err;

        Running(java.util.Map<String, String> env, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(java().toString(), NATIVE_ACCESS));
            command.addAll(List.of("-p", LIB + File.pathSeparator + JAR, "-m", "io.github.s3flash.bootloader/" + MAIN));
            command.addAll(List.of(args));
            var builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            process = builder.start();
            process.getOutputStream().close();
            // Threads of their own: the common pool may have a single worker, which one blocking read would hold.
            out = new CompletableFuture<>();
            err = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> out.complete(slurp(process.getInputStream())));
            Thread.ofPlatform().daemon().start(() -> {
                try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(process.getErrorStream()))) {
                    reader.lines().forEach(errLines::add);
                } catch (IOException e) {
                    errLines.add("(unreadable: " + e + ")");
                }
                err.complete(null);
            });
        }

        /** Waits until a stderr line contains {@code text}; false if the process ended or time ran out first. */
        boolean awaitErr(String text, java.time.Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                if (errLines.stream().anyMatch(l -> l.contains(text))) {
                    return true;
                }
                if (!process.isAlive() && err.isDone()) {
                    return false;
                }
                Thread.sleep(50);
            }
            return false;
        }

        /** The stderr lines so far. */
        String err() {
            return String.join("\n", errLines);
        }

        Result finish() throws IOException, InterruptedException {
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("s3flash did not finish in 5 minutes");
            }
            err.join();
            return new Result(process.exitValue(), out.join(), String.join("\n", errLines) + "\n");
        }
    }

    static Result run(List<String> command) throws IOException {
        return run(command, java.util.Map.of());
    }

    static Result run(List<String> command, java.util.Map<String, String> env) throws IOException {
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process p = builder.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("s3flash did not finish in 5 minutes: " + command);
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }

    private static String slurp(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes());
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
