package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole flashes through the pipeline ({@link Flasher}, providers from {@link ProviderRegistry#load()},
 * the built-in file source and raw codec) of seeded random images with zero runs, in every zero and
 * skip mode, onto 512-byte and 4096-byte-sector loop devices (plain and direct-io) and regular files
 * (created, and existing). Most images end inside a sector, whose rest must keep what it held. The
 * target is read back with O_DIRECT and must hold the image byte for byte, with the bytes past it
 * untouched.
 */
class FlashModesTest {

    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Map<String, String>> modes = List.of(
                Map.of("zero", "write"),
                Map.of("zero", "zeroout"),
                Map.of("zero", "skip-if-zero"),
                Map.of("skip-identical", "true"),
                Map.of("zero", "punch", "verify", "true"),
                Map.of("skip-identical", "true", "zero", "zeroout", "verify", "true"),
                Map.of("direct-io", "off", "sync-every", "200k", "verify", "true"));
        List<Arguments> cases = new ArrayList<>();
        for (String kind : List.of("loop512", "loop4k-direct-io", "file-created", "file-existing")) {
            for (Map<String, String> mode : modes) {
                cases.add(Arguments.of(kind, mode));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void flashIsByteExact(String kind, Map<String, String> mode) throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        int capacity = 8 << 20;
        int sector = kind.equals("loop4k-direct-io") ? 4096 : kind.equals("loop512") ? 512 : 1;
        // Sizes off the chunk and 4096 boundaries: mostly ending inside a sector (the last one is
        // rewritten whole, the rest of it kept), else whole sectors (on loop512, rarely whole 4096 blocks).
        int length = (2 << 20) + random.nextInt(capacity - (3 << 20));
        boolean wholeSectors = random.nextInt(3) == 0;
        if (wholeSectors) {
            length = length / sector * sector;
            if (sector == 512 && length % 4096 == 0) {
                length += 512;
            }
        } else if (sector > 1 && length % sector == 0) {
            length -= 1 + random.nextInt(sector - 1);
        }
        byte[] image = image(random, length);
        Path imageFile = Disks.write(dir, "image.raw", image);

        byte[] before = Disks.garbage(random, capacity);
        if (mode.containsKey("skip-identical") || mode.getOrDefault("zero", "").equals("skip-if-zero")) {
            // An in-place upgrade: most of the target already holds the image, some of it does not.
            System.arraycopy(image, 0, before, 0, length);
            for (int i = 0; i < 5; i++) {
                int at = random.nextInt(length - 1000);
                Arrays.fill(before, at, at + 1000, (byte) 0x5A);
            }
        }
        LoopDevice loop = null;
        Path target;
        Options options = Options.of(mode).with("chunk-size", Integer.toString(CHUNK));
        switch (kind) {
            case "file-created" -> {
                target = dir.resolve("created.img");
                options = options.with("create", "true");
            }
            case "file-existing" -> target = Files.write(dir.resolve("existing.img"), before);
            default -> {
                loop = Disks.loop(dir, capacity, sector,
                        kind.contains("direct-io") ? LoopDevice.Backing.DIRECT_IO : LoopDevice.Backing.PAGE_CACHE, before);
                target = loop.device();
            }
        }
        try {
            FlashPlan plan = FlashPlan.of(imageFile.toUri(), target).withCodec("raw").withOptions(options)
                    .withExpectedSha256(TestImages.sha256(image));
            FlashResult result = new Flasher(ProviderRegistry.load()).flash(plan);

            assertThat(result.bytesWritten()).isEqualTo(length);
            String what = kind + " " + mode + ", image of " + length + " bytes, " + Seeds.describe(seed);
            assertThat(result.partialBlockBytes()).as(what).isEqualTo(length % Math.max(sector, 1));
            if (kind.equals("file-created")) {
                assertThat(Files.size(target)).as(what).isEqualTo(length);
                assertThat(Disks.readDirect(target, length)).as(what).isEqualTo(image);
            } else {
                byte[] expected = before.clone();
                System.arraycopy(image, 0, expected, 0, length);
                assertThat(Disks.readDirect(target, capacity)).as(what).isEqualTo(expected);
            }
            if (kind.startsWith("file") && mode.getOrDefault("zero", "").equals("punch")) {
                long allocated = Long.parseLong(Disks.run("stat", "-c", "%b", target.toString()).trim()) * 512;
                // Blocks are allocated whole: the file's last, partial block counts as a whole 4 KiB one.
                long blocks = (Files.size(target) + 4095) / 4096 * 4096;
                assertThat(allocated).as("holes punched: " + what).isLessThanOrEqualTo(blocks - (1 << 20));
            }
        } finally {
            if (loop != null) {
                loop.close();
            }
        }
    }

    /** A disk-like image with whole zero chunks (at least 1 MiB of them), so zero() is called. */
    private static byte[] image(Random random, int length) {
        byte[] image = TestImages.diskLike(random, length);
        int zeros = 1 << 20;
        int at = CHUNK * random.nextInt((length - zeros) / CHUNK + 1);
        Arrays.fill(image, at, at + zeros, (byte) 0);
        return image;
    }
}
