package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.TestImages;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * release/aot-train.sh, which the launcher and the release use, makes an AOT cache that the CLI's
 * JVM accepts for the same module path: {@code -XX:AOTMode=on} makes the JVM refuse to start
 * otherwise. The training flashes from S3Proxy (testkit), as the default path does.
 */
class AotCacheTest {

    private static final Path SCRIPT = Path.of("../release/aot-train.sh");
    private static final String MODULE_MAIN = "io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main";

    @TempDir
    Path dir;

    @Test
    void theTrainedCacheIsUsedAndTheCliBehavesAsWithout() throws Exception {
        Path cache = dir.resolve("s3flash.aot");
        List<String> java = List.of(CliProcess.java().toString(), CliProcess.NATIVE_ACCESS,
                "-p", CliProcess.LIB + File.pathSeparator + CliProcess.JAR, "-m", MODULE_MAIN);
        var train = new ArrayList<>(List.of(SCRIPT.toString(), cache.toString(), "--"));
        train.addAll(java);
        CliProcess.Result trained = CliProcess.run(train,
                Map.of("JAVA_HOME", System.getProperty("java.home")));
        assertThat(trained.exit()).as(trained.toString()).isZero();
        assertThat(trained.err()).as("the default path (S3 + lz4) is what trains the cache")
                .contains("training: flash --source s3://train/image.lz4");
        assertThat(Files.size(cache)).isGreaterThan(1 << 20);

        List<String> withCache = List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on");
        CliProcess.Result cached = CliProcess.modulePath(withCache, "providers");
        CliProcess.Result plain = CliProcess.modulePath("providers");
        assertThat(cached.exit()).as(cached.toString()).isZero();
        assertThat(cached.out()).isEqualTo(plain.out());

        byte[] image = TestImages.diskLike(new Random(7), 3 << 20);
        Path source = dir.resolve("image.raw");
        Files.write(source, image);
        Path target = dir.resolve("target.img");
        CliProcess.Result flashed = CliProcess.modulePath(withCache, "flash", "--source", source.toString(),
                "--target", target.toString(), "--create", "--codec", "raw", "--progress", "none",
                "--sha256", TestImages.sha256(image));
        assertThat(flashed.exit()).as(flashed.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(image);
    }
}
