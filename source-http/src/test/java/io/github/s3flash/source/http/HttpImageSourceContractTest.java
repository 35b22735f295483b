package io.github.s3flash.source.http;

import io.github.s3flash.testkit.NginxServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The http source against the source contract, on a real nginx on 127.0.0.1 serving ranges. */
class HttpImageSourceContractTest extends NginxImageSourceContract {

    @TempDir
    static Path dir;

    static NginxServer nginx;

    @BeforeAll
    static void startNginx() throws IOException {
        nginx = NginxServer.serving(Files.createDirectories(dir.resolve("www"))).start(dir.resolve("nginx"));
    }

    @AfterAll
    static void stopNginx() throws IOException {
        nginx.close();
    }

    @Override
    protected NginxServer nginx() {
        return nginx;
    }

    @Override
    protected Path www() {
        return dir.resolve("www");
    }
}
