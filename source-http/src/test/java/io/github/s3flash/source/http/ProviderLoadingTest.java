package io.github.s3flash.source.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.ImageSource;
import io.github.s3flash.testkit.NginxServer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery has no side effects: {@link java.util.ServiceLoader} instantiates every provider of
 * every program that loads them, so loading this one must not change the JVM; only reading an
 * http(s) image sets the JDK client's buffer size. Run in a JVM of its own (class path: this
 * module's classes, the api's, the tests'), since this one has long read http images.
 */
class ProviderLoadingTest {

    @TempDir
    Path dir;

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    @Test
    void loadingTheProviderLeavesJvmPropertiesAloneAndOpeningAnImageTunesTheClient() throws Exception {
        Files.write(Files.createDirectories(dir.resolve("www")).resolve("small.img"), new byte[1000]);
        try (var nginx = NginxServer.serving(dir.resolve("www")).start(dir.resolve("nginx"))) {
            String classPath = String.join(java.io.File.pathSeparator, location(HttpImageSource.class),
                    location(ImageSource.class), location(LoadProviders.class));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "-cp", classPath, LoadProviders.class.getName(),
                    nginx.uri("/small.img").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out.lines().toList()).as(out).containsSubsequence(List.of(
                    "after loading: null", "after opening: " + (256 << 10)))
                    .anySatisfy(line -> assertThat(line).startsWith("loaded: ").contains("http"));
        }
    }
}
