package io.github.s3flash.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 API server on 127.0.0.1: S3Proxy ({@code org.gaul:s3proxy}, its self-contained {@code
 * jar-with-dependencies}) run as a separate java process, with the filesystem-nio2 blob store in a
 * directory of the caller's, AWS signature v2 or v4 with fixed test credentials, on a free port.
 * Closing stops it.
 *
 * <p>A separate process keeps S3Proxy's jclouds/jetty/guava closure away from the AWS SDK and from
 * the module path of the tests. The jar is found by {@link #jar()}: the system property {@value
 * #JAR_PROPERTY}, else the environment variable {@code S3PROXY_JAR}, else the local Maven repository
 * ({@code maven.repo.local} or {@code ~/.m2/repository}) at version {@link #VERSION}. A module whose
 * tests use this server makes Maven fetch the jar, e.g. with {@code maven-dependency-plugin:copy} of
 * {@code org.gaul:s3proxy:VERSION:jar:jar-with-dependencies} (source-s3's pom shows how) and passes
 * its path in {@value #JAR_PROPERTY}.
 *
 * <p>S3Proxy rejects the newer flexible-checksum headers: clients must compute and validate
 * checksums only when required ({@code AWS_REQUEST_CHECKSUM_CALCULATION} and {@code
 * AWS_RESPONSE_CHECKSUM_VALIDATION} {@code when_required}, which {@link #cliEnvironment()} sets; the
 * SDK's {@code requestChecksumCalculation}/{@code responseChecksumValidation} {@code WHEN_REQUIRED}).
 *
 * <p>From a shell: {@code java -cp s3flash-testkit.jar io.github.s3flash.testkit.S3TestServer DIR}
 * prints {@code endpoint=http://127.0.0.1:PORT} once the server listens and runs until killed (TERM).
 *
 * <pre>{@code
 * try (var s3 = S3TestServer.start(dir)) {
 *     s3.createBucket("images");
 *     s3.aws("s3", "cp", file.toString(), "s3://images/disk.img.lz4");
 * }
 * }</pre>
 */
public final class S3TestServer implements AutoCloseable {

    /** The S3Proxy version fetched by the modules that use this server. */
    public static final String VERSION = "2.9.0";
    public static final String JAR_PROPERTY = "s3flash.s3proxy.jar";
    /** Debian's aws CLI (the one on PATH here may be a pyenv shim). */
    public static final Path AWS_CLI = Path.of("/usr/bin/aws");

    public static final String ACCESS_KEY_ID = "AKIAS3FLASHTEST00001";
    public static final String SECRET_ACCESS_KEY = "s3flash-test-secret-not-for-production";
    public static final String REGION = "us-east-1";

    private final Process process;
    private final Path dir;
    private final int port;

    private S3TestServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** The S3Proxy jar (see the class comment for where it is looked for); it may not exist. */
    public static Path jar() {
        String property = System.getProperty(JAR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("S3PROXY_JAR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String repo = System.getProperty("maven.repo.local");
        Path root = repo != null && !repo.isBlank() ? Path.of(repo)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return root.resolve("org/gaul/s3proxy/" + VERSION + "/s3proxy-" + VERSION + "-jar-with-dependencies.jar");
    }

    /**
     * Starts S3Proxy with its configuration, log and blob store under {@code dir}, and waits until it
     * answers.
     */
    public static S3TestServer start(Path dir) throws IOException {
        requireNonNull(dir, "dir");
        Path jar = jar();
        if (!Files.isRegularFile(jar)) {
            throw new IOException("S3Proxy jar " + jar + " not found: fetch org.gaul:s3proxy:" + VERSION
                    + ":jar:jar-with-dependencies (./mvnw dependency:get -Dartifact=org.gaul:s3proxy:" + VERSION
                    + ":jar:jar-with-dependencies) or set -D" + JAR_PROPERTY);
        }
        Files.createDirectories(dir.resolve("blobs"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        IOException last = null;
        // A free port found by binding port 0 may be taken before S3Proxy binds it: try a few.
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = ServerProcesses.freePort();
            Path conf = Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY_ID,
                    "s3proxy.credential=" + SECRET_ACCESS_KEY,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + dir.resolve("blobs").toAbsolutePath(),
                    ""));
            Process process = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-jar", jar.toString(), "--properties", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s3proxy.log").toFile())
                    .start();
            var server = new S3TestServer(process, dir, port);
            try {
                ServerProcesses.awaitListening(process, port, Duration.ofSeconds(60), "S3Proxy", server::log);
                return server;
            } catch (IOException e) {
                server.close();
                last = e;
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Where the filesystem blob store keeps buckets (one directory each) and objects. */
    public Path blobs() {
        return dir.resolve("blobs");
    }

    /** Makes a bucket: the filesystem blob store's bucket is a directory of its base directory. */
    public void createBucket(String bucket) throws IOException {
        Files.createDirectories(blobs().resolve(requireNonNull(bucket, "bucket")));
    }

    /**
     * The environment for an AWS client of this server: the test credentials and region, checksums
     * only when required (S3Proxy rejects the newer checksum headers), no EC2 metadata look-ups (no
     * traffic off loopback) and no shared config files of the machine.
     */
    public Map<String, String> cliEnvironment() {
        var env = new TreeMap<String, String>();
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
        env.put("AWS_DEFAULT_REGION", REGION);
        env.put("AWS_REGION", REGION);
        env.put("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
        env.put("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_CONFIG_FILE", "/dev/null");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        env.put("AWS_PAGER", "");
        return env;
    }

    /** {@code /usr/bin/aws --endpoint-url http://127.0.0.1:PORT args...}, for a ProcessBuilder. */
    public List<String> awsCommand(String... args) {
        var command = new ArrayList<>(List.of(AWS_CLI.toString(), "--endpoint-url", endpoint().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** A ProcessBuilder for {@link #awsCommand} with {@link #cliEnvironment()}. */
    public ProcessBuilder awsProcess(String... args) {
        var builder = new ProcessBuilder(awsCommand(args));
        builder.environment().putAll(cliEnvironment());
        return builder;
    }

    /** Runs Debian's aws CLI against this server and returns its output; fails on a non-zero exit. */
    public String aws(String... args) throws IOException {
        Process p = awsProcess(args).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("aws " + String.join(" ", args) + " timed out");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running aws");
        }
        if (p.exitValue() != 0) {
            throw new IOException("aws " + String.join(" ", args) + " failed with exit code " + p.exitValue()
                    + ": " + out);
        }
        return out;
    }

    /** S3Proxy's output so far, for failure messages. */
    public String log() {
        try {
            Path file = dir.resolve("s3proxy.log");
            return Files.exists(file) ? Files.readString(file).strip() : "";
        } catch (IOException e) {
            return "log unreadable (" + e.getMessage() + ")";
        }
    }

    /** Stops S3Proxy (SIGTERM, then SIGKILL after 10 s) and waits for it. Idempotent. */
    @Override
    public void close() throws IOException {
        ServerProcesses.stop(process, "S3Proxy");
    }

    /**
     * Runs a server from a shell: {@code S3TestServer DIR} starts it in {@code DIR}, prints {@code
     * endpoint=URL}, and runs until this JVM is stopped (SIGTERM stops S3Proxy too).
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: S3TestServer DIR");
            System.exit(2);
        }
        S3TestServer server = start(Path.of(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                System.err.println("stopping S3Proxy: " + e.getMessage());
            }
        }));
        System.out.println("endpoint=" + server.endpoint());
        System.out.flush();
        Thread.currentThread().join();
    }
}
