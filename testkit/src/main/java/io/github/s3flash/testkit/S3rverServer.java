package io.github.s3flash.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.FilterOutputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A second, independent S3 API server on 127.0.0.1: s3rver (the npm package, a Node.js server with
 * a filesystem store), for the behaviours where S3 implementations differ. It ignores {@code
 * If-Match} on GETs, and it overwrites an object in place, answering with the old object's ETag
 * until the new one is complete: a client that trusts the precondition it sends mixes two versions.
 *
 * <p>The package is installed once per machine by {@code npm ci} from the lock file kept with this
 * class (every dependency pinned with its integrity hash), into {@code ~/.cache/s3flash/} (or the
 * directory of the system property {@value #DIR_PROPERTY}); it needs {@code node} and {@code npm}
 * (Debian package {@code nodejs}) and, the first time, the npm registry. It accepts the same test
 * credentials as {@link S3TestServer}, and anonymous requests.
 */
public final class S3rverServer implements AutoCloseable {

    /** The s3rver version the lock file pins. */
    public static final String VERSION = "3.7.1";
    public static final String DIR_PROPERTY = "s3flash.s3rver.dir";
    private static final String RESOURCES = "s3rver/";
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "start.js");

    private final Process process;
    private final Path dir;
    private final int port;

    private S3rverServer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts s3rver with its store under {@code dir} and the given buckets, and waits until it
     * answers. Installs it first if this machine has not yet.
     */
    public static S3rverServer start(Path dir, String... buckets) throws IOException {
        requireNonNull(dir, "dir");
        Path installation = install();
        Files.createDirectories(dir.resolve("data"));
        IOException last = null;
        // A free port found by binding port 0 may be taken before s3rver binds it: try a few.
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = ServerProcesses.freePort();
            var command = new ArrayList<>(List.of("node", installation.resolve("start.js").toString(),
                    dir.resolve("data").toString(), Integer.toString(port), S3TestServer.ACCESS_KEY_ID,
                    S3TestServer.SECRET_ACCESS_KEY));
            command.addAll(List.of(buckets));
            Process process = new ProcessBuilder(command).directory(installation.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s3rver.log").toFile())
                    .start();
            var server = new S3rverServer(process, dir, port);
            try {
                ServerProcesses.awaitListening(process, port, Duration.ofSeconds(60), "s3rver", server::log);
                return server;
            } catch (IOException e) {
                server.close();
                last = e;
            }
        }
        throw last;
    }

    /**
     * The directory s3rver is installed in, installing it first when needed. Installation goes to a
     * directory of its own that is moved into place when complete, so builds running at once never
     * see half an installation.
     */
    static Path install() throws IOException {
        String configured = System.getProperty(DIR_PROPERTY);
        Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "s3flash", "s3rver-" + VERSION + "-" + lockDigest());
        if (!Files.isRegularFile(dir.resolve("node_modules/s3rver/bin/s3rver.js"))) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Path staging = Files.createTempDirectory(dir.toAbsolutePath().getParent(), "s3rver-install-");
            try {
                copyResources(staging);
                npm(staging, "ci", "--no-audit", "--no-fund", "--ignore-scripts");
                try {
                    Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                    if (!Files.isRegularFile(dir.resolve("node_modules/s3rver/bin/s3rver.js"))) {
                        throw e;
                    }
                    // Another build installed it first.
                }
            } finally {
                deleteTree(staging);
            }
        }
        copyResources(dir);
        return dir;
    }

    private static void copyResources(Path dir) throws IOException {
        for (String name : FILES) {
            try (InputStream in = S3rverServer.class.getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IOException("testkit resource " + RESOURCES + name + " is missing");
                }
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String lockDigest() throws IOException {
        try (InputStream in = S3rverServer.class.getResourceAsStream(RESOURCES + "package-lock.json")) {
            if (in == null) {
                throw new IOException("testkit resource " + RESOURCES + "package-lock.json is missing");
            }
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()))
                    .substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static void npm(Path dir, String... args) throws IOException {
        var command = new ArrayList<>(List.of("npm"));
        command.addAll(List.of(args));
        Path log = dir.resolve("npm.log");
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException("s3rver needs node and npm (Debian package nodejs): " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("npm " + String.join(" ", args) + " in " + dir + " took more than 10 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while installing s3rver");
        }
        if (p.exitValue() != 0) {
            throw new IOException("npm " + String.join(" ", args) + " failed with exit code " + p.exitValue() + ": "
                    + Files.readString(log).strip());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Stores {@code bytes} as {@code bucket/key} (an anonymous PUT, which s3rver accepts). */
    public void put(String bucket, String key, byte[] bytes) throws IOException {
        try (OutputStream body = openPut(bucket, key)) {
            body.write(bytes);
        }
    }

    /**
     * Begins a PUT of {@code bucket/key} whose body is what is written to the stream, sent chunked as
     * it is written; closing the stream ends the request and waits for s3rver's answer. In between,
     * s3rver has written the bytes received into the object in place, and still answers with the
     * old object's ETag.
     */
    public OutputStream openPut(String bucket, String key) throws IOException {
        var connection = (HttpURLConnection) endpoint().resolve("/" + bucket + "/" + key).toURL().openConnection();
        connection.setRequestMethod("PUT");
        connection.setDoOutput(true);
        connection.setChunkedStreamingMode(64 << 10);
        connection.setRequestProperty("Content-Type", "application/octet-stream");
        OutputStream body = connection.getOutputStream();
        return new FilterOutputStream(body) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                body.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                body.close();
                int status = connection.getResponseCode();
                if (status != 200) {
                    throw new IOException("PUT " + bucket + "/" + key + " to s3rver answered " + status + ": " + log());
                }
            }
        };
    }

    /** Where s3rver keeps an object's bytes: it writes them there in place while a PUT arrives. */
    public Path objectFile(String bucket, String key) {
        return dir.resolve("data").resolve(bucket).resolve(key + "._S3rver_object");
    }

    /** s3rver's output so far, for failure messages. */
    public String log() {
        try {
            Path file = dir.resolve("s3rver.log");
            return Files.exists(file) ? Files.readString(file).strip() : "";
        } catch (IOException e) {
            return "log unreadable (" + e.getMessage() + ")";
        }
    }

    /** Stops s3rver (SIGTERM, then SIGKILL after 10 s) and waits for it. Idempotent. */
    @Override
    public void close() throws IOException {
        ServerProcesses.stop(process, "s3rver");
    }
}
