package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How progress is reckoned and said: from image bytes written when the decoded size is known, else
 * from compressed bytes read, and then the line says the percentage is of the compressed image.
 */
class ProgressPrinterTest {

    @TempDir
    Path dir;

    private final StringWriter console = new StringWriter();
    private final ProgressPrinter printer = new ProgressPrinter(new PrintWriter(console), ProgressPrinter.Mode.log,
            Duration.ZERO);

    private static ProgressEvent.Progress progress(long read, long written, long compressed, long decoded) {
        return new ProgressEvent.Progress(read, written, compressed, decoded, Duration.ofSeconds(4));
    }

    @Test
    void aKnownDecodedSizeIsReckonedFromImageBytesWritten() {
        printer.onEvent(progress(2_202_009, 4L << 20, 19_806_559, 72L << 20));
        assertThat(console.toString()).isEqualTo("s3flash: progress: 5.6%, 4.0 MiB of 72.0 MiB written, 2.1 MiB read,"
                + " 1.0 MB/s, 0:04 elapsed, ETA 1:08\n");
    }

    @Test
    void anUnknownDecodedSizeIsReckonedFromCompressedBytesAndSaysSo() {
        printer.onEvent(progress(2_202_009, 4L << 20, 19_806_559, -1));
        assertThat(console.toString()).isEqualTo("s3flash: progress: 11.1% of the compressed image, 4.0 MiB written,"
                + " 2.1 MiB of 18.9 MiB compressed read, 1.0 MB/s, 0:04 elapsed, ETA 0:32\n");
    }

    @Test
    void withNeitherSizeThereIsNoPercentageAndNoEta() {
        printer.onEvent(progress(2_202_009, 4L << 20, -1, -1));
        assertThat(console.toString()).isEqualTo("s3flash: progress: 4.0 MiB written, 2.1 MiB read, 1.0 MB/s,"
                + " 0:04 elapsed\n");
    }

    @Test
    void theStartLineSaysWhatProgressIsReckonedFrom() {
        var image = new ImageInfo(URI.create("s3://b/os.img.lz4"), 19_806_559, "\"e\"", true, 4);
        var geometry = new TargetGeometry(320L << 20, 512, 4096);
        printer.onEvent(new ProgressEvent.Started(image, "lz4", Path.of("/dev/vda"), geometry, 72L << 20));
        printer.onEvent(new ProgressEvent.Started(image, "lz4", Path.of("/dev/vda"), geometry, -1));
        assertThat(console.toString().lines()).containsExactly(
                "s3flash: flashing s3://b/os.img.lz4 (lz4, 18.9 MiB compressed, 72.0 MiB decoded, version \"e\")"
                        + " onto /dev/vda (320.0 MiB, 512-byte sectors)",
                "s3flash: flashing s3://b/os.img.lz4 (lz4, 18.9 MiB compressed, decoded size not recorded, so progress"
                        + " is reckoned from the compressed bytes, version \"e\") onto /dev/vda (320.0 MiB, 512-byte"
                        + " sectors)");
    }

    @Test
    void theFirstProgressLineIsPrintedWhateverTheClockReads() {
        var slow = new ProgressPrinter(new PrintWriter(console), ProgressPrinter.Mode.log,
                Duration.ofNanos(Long.MAX_VALUE));
        slow.onEvent(progress(1, 4096, 10, -1));
        slow.onEvent(progress(2, 8192, 10, -1));
        assertThat(console.toString().lines()).hasSize(1);
    }

    /**
     * A disk whose second half is zeros, as lz4 writes it, flashed for real: without a recorded
     * content size the compressed bytes are nearly all read while half the image is still to be
     * written, and the lines say the percentage is of the compressed image; with {@code lz4
     * --content-size} the percentage follows the image bytes written, to 100%.
     */
    @Test
    void aDiskEndingInZerosIsReckonedHonestlyWithAndWithoutItsContentSize() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        int half = (8 + random.nextInt(8)) << 20;
        byte[] disk = new byte[2 * half];
        System.arraycopy(TestImages.random(random, half), 0, disk, 0, half);
        Path raw = Files.write(dir.resolve("disk.img"), disk);
        Path plain = dir.resolve("disk.img.lz4");
        Path sized = dir.resolve("disk-sized.img.lz4");
        Cli.run(List.of("lz4", "-q", "-c", raw.toString()), null, plain);
        Cli.run(List.of("lz4", "-q", "-c", "--content-size", raw.toString()), null, sized);

        List<String> plainLines = flash(plain);
        assertThat(plainLines).as(Seeds.describe(seed)).isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("% of the compressed image"));
        // Halfway through the image, nearly all of the compressed image has been read.
        String halfway = plainLines.stream().filter(l -> writtenMiB(l) >= half >> 20).findFirst().orElseThrow();
        assertThat(percent(halfway)).as(halfway + "; " + Seeds.describe(seed)).isGreaterThan(90);

        List<String> sizedLines = flash(sized);
        assertThat(sizedLines).as(Seeds.describe(seed)).noneSatisfy(line -> assertThat(line).contains("compressed image"));
        for (String line : sizedLines) {
            double expected = 100.0 * writtenMiB(line) / (disk.length >> 20);
            assertThat(percent(line)).as(line + "; " + Seeds.describe(seed)).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(0.1));
        }
        assertThat(sizedLines.getLast()).startsWith("s3flash: progress: 100.0%");
    }

    private List<String> flash(Path image) throws Exception {
        var out = new StringWriter();
        var lines = new ProgressPrinter(new PrintWriter(out), ProgressPrinter.Mode.log, Duration.ZERO);
        Path target = dir.resolve("target-" + image.getFileName());
        Flasher.withInstalledProviders().flash(new FlashPlan(ImageLocations.parse(image.toString()), target, null, null,
                Options.of(java.util.Map.of("create", "true", "chunk-size", "1m"))), lines);
        assertThat(Files.mismatch(target, dir.resolve("disk.img"))).isEqualTo(-1);
        return out.toString().lines().filter(l -> l.startsWith("s3flash: progress:")).toList();
    }

    private static final Pattern PERCENT = Pattern.compile("progress: ([0-9.]+)%");
    private static final Pattern WRITTEN = Pattern.compile("([0-9.]+) MiB (of [0-9.]+ MiB )?written");

    private static double percent(String line) {
        Matcher m = PERCENT.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static double writtenMiB(String line) {
        Matcher m = WRITTEN.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
