package com.example.s3flash.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin directory the build makes (target/plugin: the plugin's jar and Commons Compress) put on
 * the CLI's module path as it is. ServiceLoader finds it, and a gzip image made by the stock {@code gzip} CLI
 * flashes byte-exact with the codec detected from its magic bytes.
 */
class PluginDirectoryTest {

    @TempDir
    Path dir;

    private static String[] run(String... args) throws IOException, InterruptedException {
        String modulePath = System.getProperty("s3flash.lib") + File.pathSeparator + System.getProperty("s3flash.jar")
                + File.pathSeparator + System.getProperty("s3flash.plugins");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED,org.lz4.java,com.github.luben.zstd_jni,io.github.s3flash.sink.blockdev,"
                        + "io.github.s3flash.bootloader",
                "-p", modulePath,
                "-m", "io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void theCliFindsThePluginInThePluginsDirectory() throws Exception {
        String[] r = run("providers");
        assertThat(r[0]).as(r[1]).isEqualTo("0");
        assertThat(r[1]).containsPattern("codec\\s+gzip\\s+com\\.example\\.s3flash\\.gzip\\s+0\\.1\\.0-SNAPSHOT");
    }

    @Test
    void anImageMadeByTheGzipCliFlashesByteExact() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 3_000_000);
        Path raw = Files.write(dir.resolve("os.img"), image);
        Process gzip = new ProcessBuilder("gzip", "-k", "-1", raw.toString()).redirectErrorStream(true).start();
        assertThat(gzip.waitFor()).isZero();
        Path target = dir.resolve("disk.img");
        String[] r = run("flash", "--source", raw + ".gz", "--target", target.toString(), "--create",
                "--sha256", TestImages.sha256(image));
        assertThat(r[0]).as(r[1] + Seeds.describe(seed)).isEqualTo("0");
        assertThat(r[1]).contains("codec:         gzip");
        assertThat(Files.readAllBytes(target)).isEqualTo(image);
    }

    @Test
    void ourGzipOutputIsReadByTheGzipCli() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 2_000_003);
        Path compressed = dir.resolve("ours.gz");
        try (var out = new GzipCodec().encode(Files.newOutputStream(compressed), io.github.s3flash.api.Options.empty())) {
            out.write(image);
        }
        Process gunzip = new ProcessBuilder("gzip", "-d", "-c", compressed.toString()).start();
        byte[] decoded = gunzip.getInputStream().readAllBytes();
        assertThat(gunzip.waitFor()).isZero();
        assertThat(decoded).as(Seeds.describe(seed)).isEqualTo(image);
    }
}
