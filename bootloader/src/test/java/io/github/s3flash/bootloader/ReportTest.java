package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.TargetGeometry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The final report says what a successful flash could not hide: a last sector written by
 * read-modify-write, and warnings (a close that failed after the image was forced and verified).
 * Library messages name options; the CLI shows its own flags for them.
 */
class ReportTest {

    private static String report(FlashResult result) {
        var text = new StringWriter();
        Report.print(new PrintWriter(text), result);
        return text.toString();
    }

    private static FlashResult result(long bytes, int sector, List<String> warnings) {
        return new FlashResult(URI.create("s3://images/os.img.zst"), "\"etag\"", "zstd", Path.of("/dev/vdb"),
                new TargetGeometry(8 << 20, sector, sector), 1000, bytes, 0, Duration.ofSeconds(1), "ab".repeat(32),
                warnings);
    }

    @Test
    void aPartialLastSectorIsReported() {
        assertThat(report(result(512L * 39_000 + 3, 512, List.of())))
                .contains("last sector:   3 of its 512 bytes from the image (read, changed, written whole);"
                        + " the other 509 kept what they held")
                .doesNotContain("warning");
        assertThat(report(result(512L * 39_000, 512, List.of()))).doesNotContain("last sector");
    }

    @Test
    void warningsAreReported() {
        String warning = "closing target /dev/vdb failed after the image was written, forced and verified: EIO";
        assertThat(report(result(4096, 4096, List.of(warning)))).contains("  warning:       " + warning)
                .contains("sha256:        " + "ab".repeat(32));
    }

    @Test
    void libraryOptionsAreShownAsTheirFlags() {
        assertThat(FlashCommand.forCommandLine("target /x does not exist; give an existing device or file, or option"
                + " create=true to create a regular file")).endsWith("or --create to create a regular file");
        assertThat(FlashCommand.forCommandLine("no installed codec recognises file:/x; give the codec by name"
                + " (codec=raw for an uncompressed image)")).endsWith("give --codec NAME (--codec raw for an"
                + " uncompressed image)");
        assertThat(FlashCommand.forCommandLine("(or give option force=true to overwrite it anyway)"))
                .isEqualTo("(or give --force to overwrite it anyway)");
    }
}
