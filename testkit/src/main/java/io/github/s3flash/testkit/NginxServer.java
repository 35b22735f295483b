package io.github.s3flash.testkit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real nginx (Debian's {@code /usr/sbin/nginx}) serving a directory on 127.0.0.1, started in the
 * foreground ({@code daemon off}) with a configuration, pid file, logs and temp paths of its own in
 * a directory of the caller's, on a free port. Optional TLS with a given certificate and key,
 * optional range support off ({@code max_ranges 0}), optional HTTP/2, and extra {@code server} directives (locations
 * for redirects, {@code auth_basic}, {@code return 401}, ...). Closing stops it.
 *
 * <pre>{@code
 * try (var nginx = NginxServer.serving(root).tls(cert, key).start(work)) {
 *     URI image = nginx.uri("/image.img");
 * }
 * }</pre>
 */
public final class NginxServer implements AutoCloseable {

    /** Where Debian's nginx package installs the binary. */
    public static final Path BINARY = Path.of("/usr/sbin/nginx");

    private final Process process;
    private final Path dir;
    private final int port;
    private final boolean tls;

    private NginxServer(Process process, Path dir, int port, boolean tls) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.tls = tls;
    }

    /** Whether nginx is installed here. */
    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** A server for the files under {@code root}; configure it, then {@link Builder#start}. */
    public static Builder serving(Path root) {
        return new Builder(requireNonNull(root, "root"));
    }

    /** Settings of a server to start. Not thread-safe. */
    public static final class Builder {
        private final Path root;
        private Path certificate;
        private Path key;
        private boolean ranges = true;
        private boolean http2;
        private final StringBuilder serverConfig = new StringBuilder();

        private Builder(Path root) {
            this.root = root;
        }

        /** Serves https with this PEM certificate (chain) and PEM private key. */
        public Builder tls(Path certificate, Path key) {
            this.certificate = requireNonNull(certificate, "certificate");
            this.key = requireNonNull(key, "key");
            return this;
        }

        /** Offers HTTP/2 (with TLS: by ALPN) besides HTTP/1.1. */
        public Builder http2() {
            this.http2 = true;
            return this;
        }

        /** Turns range requests off: every GET answers 200 with the whole file. */
        public Builder withoutRanges() {
            this.ranges = false;
            return this;
        }

        /** Adds directives to the {@code server} block, e.g. {@code location /a { return 302 /b; }}. */
        public Builder serverConfig(String directives) {
            serverConfig.append(requireNonNull(directives, "directives")).append('\n');
            return this;
        }

        /**
         * Starts nginx with its configuration, logs and pid file in {@code dir}, and waits until it
         * accepts connections.
         */
        public NginxServer start(Path dir) throws IOException {
            requireNonNull(dir, "dir");
            Files.createDirectories(dir);
            IOException last = null;
            // A free port found by binding port 0 may be taken before nginx binds it: try a few.
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = ServerProcesses.freePort();
                Path conf = Files.writeString(dir.resolve("nginx.conf"), config(dir, port));
                Process process = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c", conf.toString(),
                        "-e", dir.resolve("error.log").toString(), "-g", "daemon off;")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout.log").toFile())
                        .start();
                var server = new NginxServer(process, dir, port, certificate != null);
                try {
                    ServerProcesses.awaitListening(process, port, Duration.ofSeconds(15), "nginx", server::log);
                    return server;
                } catch (IOException e) {
                    server.close();
                    last = e;
                }
            }
            throw last;
        }

        private String config(Path dir, int port) {
            var c = new StringBuilder();
            // As root nginx would drop its workers to "nobody", who cannot read a test's temp dir.
            if ("root".equals(System.getProperty("user.name"))) {
                c.append("user root;\n");
            }
            c.append("worker_processes 1;\n");
            c.append("pid ").append(dir.resolve("nginx.pid")).append(";\n");
            c.append("error_log ").append(dir.resolve("error.log")).append(" warn;\n");
            c.append("events { worker_connections 512; }\n");
            c.append("http {\n");
            c.append("  log_format ranges '$request $status $http_range $body_bytes_sent';\n");
            c.append("  access_log ").append(dir.resolve("access.log")).append(" ranges;\n");
            for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
                c.append("  ").append(temp).append("_temp_path ").append(dir.resolve(temp + "_temp")).append(";\n");
            }
            c.append("  default_type application/octet-stream;\n");
            c.append("  sendfile on;\n");
            c.append("  keepalive_requests 10000;\n");
            c.append("  server {\n");
            c.append("    listen 127.0.0.1:").append(port).append(certificate != null ? " ssl" : "")
                    .append(http2 ? " http2" : "").append(";\n");
            c.append("    server_name localhost;\n");
            if (certificate != null) {
                c.append("    ssl_certificate ").append(certificate.toAbsolutePath()).append(";\n");
                c.append("    ssl_certificate_key ").append(key.toAbsolutePath()).append(";\n");
            }
            c.append("    root ").append(root.toAbsolutePath()).append(";\n");
            if (!ranges) {
                c.append("    max_ranges 0;\n");
            }
            c.append(serverConfig);
            c.append("  }\n");
            c.append("}\n");
            return c.toString();
        }
    }

    /** nginx's start-up output and error log, for failure messages. */
    public String log() {
        var text = new StringBuilder();
        for (String name : List.of("stdout.log", "error.log")) {
            try {
                Path file = dir.resolve(name);
                if (Files.exists(file)) {
                    text.append(name).append(": ").append(Files.readString(file).strip()).append('\n');
                }
            } catch (IOException e) {
                text.append(name).append(": unreadable (").append(e.getMessage()).append(")\n");
            }
        }
        return text.toString().strip();
    }

    /** The access log's lines so far: {@code request status range-header bytes-sent}. */
    public List<String> accessLog() throws IOException {
        Path file = dir.resolve("access.log");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    public int port() {
        return port;
    }

    /** {@code http(s)://127.0.0.1:port} + {@code path} (which starts with a slash). */
    public URI uri(String path) {
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + port + path);
    }

    /** Stops nginx (SIGTERM, then SIGKILL after 10 s) and waits for it. Idempotent. */
    @Override
    public void close() throws IOException {
        ServerProcesses.stop(process, "nginx");
    }
}
