package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.bootloader.report.JsonOracle;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3flash flash --report json} as scripts use it: stdout is exactly one JSON object, for
 * every way a flash ends, with the exit code the process returned; stderr keeps the human lines.
 * Python's json module reads it back.
 */
class FlashReportCliTest {

    @TempDir
    Path dir;

    private Map<String, String> json(CliProcess.Result r) throws Exception {
        assertThat(r.out().lines()).as(r.toString()).hasSize(1);
        Map<String, String> leaves = JsonOracle.leaves(r.out());
        assertThat(leaves).as(r.toString()).containsEntry("exit_code", String.valueOf(r.exit()));
        return leaves;
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    @Test
    void aFlashedImage() throws Exception {
        long seed = Seeds.next();
        byte[] bytes = TestImages.diskLike(new Random(seed), 5 << 20);
        Path raw = Files.write(dir.resolve("os.img"), bytes);
        Path lz4 = dir.resolve("os.img.lz4");
        Cli.run(List.of("lz4", "-q", "-c", raw.toString()), null, lz4);
        Path target = dir.resolve("disk.img");
        String sha256 = TestImages.sha256(bytes);
        var r = CliProcess.modulePath("flash", "--source", lz4.toString(), "--target", target.toString(), "--create",
                "--sha256", sha256, "--report", "json");
        assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
        assertThat(json(r))
                .containsEntry("outcome", quoted("flashed"))
                .containsEntry("error", "null")
                .containsEntry("source", quoted(lz4.toUri().toString()))
                .containsEntry("target", quoted(target.toString()))
                .containsEntry("codec", quoted("lz4"))
                .containsEntry("trust", quoted("sha256"))
                .containsEntry("writing_started", "true")
                .containsEntry("bytes.image", "null")
                .containsEntry("bytes.compressed", String.valueOf(Files.size(lz4)))
                .containsEntry("bytes.written", String.valueOf(bytes.length))
                .containsEntry("bytes.fetched", String.valueOf(Files.size(lz4)))
                .containsEntry("sha256", quoted(sha256))
                .hasEntrySatisfying("version", v -> assertThat(v).startsWith("\""))
                .hasEntrySatisfying("seconds.to_first_byte", v -> assertThat(Double.parseDouble(v)).isPositive())
                .hasEntrySatisfying("seconds.total", v -> assertThat(Double.parseDouble(v)).isPositive())
                .hasEntrySatisfying("rates_mb_per_s.written", v -> assertThat(Double.parseDouble(v)).isPositive());
        assertThat(r.err()).contains("writing started");
    }

    @Test
    void aRefusalLeavesTheTargetUnchanged() throws Exception {
        Path target = Files.write(dir.resolve("disk.img"), TestImages.random(new Random(1), 8192));
        String before = TestImages.sha256(Files.readAllBytes(target));
        Path missing = dir.resolve("nope.img");
        var r = CliProcess.modulePath("flash", "--source", missing.toString(), "--target", target.toString(),
                "--report", "json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(json(r))
                .containsEntry("outcome", quoted("refused"))
                .containsEntry("writing_started", "false")
                .containsEntry("bytes.written", "0")
                .containsEntry("seconds.to_first_byte", "null")
                .containsEntry("trust", "null")
                .hasEntrySatisfying("error", e -> assertThat(e).contains("does not exist"));
        assertThat(r.err()).contains("refused, nothing was written");
        assertThat(TestImages.sha256(Files.readAllBytes(target))).isEqualTo(before);
    }

    @Test
    void aVerificationFailure() throws Exception {
        byte[] bytes = TestImages.random(new Random(2), 12_288);
        Path source = Files.write(dir.resolve("os.img"), bytes);
        String wrong = "0".repeat(64);
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target",
                dir.resolve("disk.img").toString(), "--codec", "raw", "--create", "--sha256", wrong, "--report", "json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.VERIFICATION_FAILED);
        assertThat(json(r))
                .containsEntry("outcome", quoted("verification-failed"))
                .containsEntry("trust", quoted("sha256"))
                .containsEntry("bytes.image", "12288")
                .containsEntry("sha256", quoted(TestImages.sha256(bytes)))
                .hasEntrySatisfying("error", e -> assertThat(e).contains("but " + wrong + " was expected"));
    }

    /**
     * An lz4 image whose content checksum is wrong is found corrupt only at its end, after most of it
     * is written (the pipeline's bounded buffers keep the decoder at most a few chunks ahead).
     */
    @Test
    void aFailureAfterWritingBegan() throws Exception {
        byte[] bytes = TestImages.diskLike(new Random(3), 48 << 20);
        Path raw = Files.write(dir.resolve("os.img"), bytes);
        Path lz4 = dir.resolve("os.img.lz4");
        Cli.run(List.of("lz4", "-q", "-c", raw.toString()), null, lz4);
        try (var file = new RandomAccessFile(lz4.toFile(), "rw")) {
            file.seek(file.length() - 1);
            int last = file.read();
            file.seek(file.length() - 1);
            file.write(last ^ 0xFF);
        }
        var r = CliProcess.modulePath("flash", "--source", lz4.toString(), "--target",
                dir.resolve("disk.img").toString(), "--create", "-o", "chunk-size=1m", "--report", "json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.FAILED_AFTER_WRITE);
        assertThat(json(r))
                .containsEntry("outcome", quoted("failed"))
                .containsEntry("writing_started", "true")
                .containsEntry("sha256", "null")
                .hasEntrySatisfying("bytes.written", w -> assertThat(Long.parseLong(w)).isPositive())
                .hasEntrySatisfying("seconds.to_first_byte", v -> assertThat(Double.parseDouble(v)).isPositive())
                .hasEntrySatisfying("error", e -> assertThat(e).contains("checksum"));
    }

    @Test
    void badUsageFoundByTheCommand() throws Exception {
        var r = CliProcess.modulePath("flash", "--source", "/x", "--target", "/y", "-o", "chunk-size=5000",
                "--report", "json");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(json(r))
                .containsEntry("outcome", quoted("usage"))
                .containsEntry("source", quoted("file:///x"))
                .hasEntrySatisfying("error", e -> assertThat(e).contains("option chunk-size=5000 is not valid"));
    }

    @Test
    void theTextReportStaysTheDefault() throws IOException {
        Path source = Files.write(dir.resolve("os.img"), TestImages.random(new Random(4), 8192));
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target",
                dir.resolve("disk.img").toString(), "--codec", "raw", "--create");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("flashed ").contains("image bytes:   8192").doesNotContain("{");
    }
}
