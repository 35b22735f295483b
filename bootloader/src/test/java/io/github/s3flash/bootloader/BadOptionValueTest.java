package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad option value is bad usage (exit 2), named with what is valid, whichever provider reads the
 * option: a source, the pipeline or the sink. Sources are opened before anything is written, so the
 * target is unchanged; no server is needed, since options are read before any request.
 */
class BadOptionValueTest {

    @TempDir
    Path dir;

    @Test
    void aBadOptionValueExitsTwoWhicheverProviderReadsIt() throws IOException {
        Path target = Files.write(dir.resolve("disk.img"), TestImages.random(new java.util.Random(1), 8192));
        String before = TestImages.sha256(Files.readAllBytes(target));
        record Case(String source, String option, String named) {}
        for (Case c : List.of(
                new Case("s3://bucket/os.img", "s3.concurrency=0", "s3.concurrency=0 is out of range"),
                new Case("s3://bucket/os.img", "s3.read-timeout=soon", "s3.read-timeout=soon is not valid"),
                new Case("http://127.0.0.1:9/os.img", "http.concurrency=lots", "http.concurrency=lots is not valid"),
                new Case("http://127.0.0.1:9/os.img", "http.version=3", "http.version=3 is not valid"),
                new Case("http://127.0.0.1:9/os.img", "read.part-size=2g", "read.part-size=2g is out of range"),
                new Case("http://127.0.0.1:9/os.img", "retry.attempts=0", "retry.attempts=0 is out of range"))) {
            var r = CliProcess.modulePath("flash", "--source", c.source(), "--target", target.toString(), "-o",
                    c.option());
            assertThat(r.exit()).as(c + ": " + r).isEqualTo(ExitCode.USAGE);
            assertThat(r.err()).as(c.toString()).contains(c.named());
        }
        assertThat(TestImages.sha256(Files.readAllBytes(target))).isEqualTo(before);
    }
}
