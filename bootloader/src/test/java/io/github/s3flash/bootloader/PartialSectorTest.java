package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 3: an image whose size is not whole sectors — like the 20 000 003-byte image that
 * failed after writing began — flashes with the packaged CLI, as {@code lz4 -d > /dev/xvda} and
 * {@code dd} would write it: byte for byte, the last sector read, changed and written whole, the
 * rest of that sector and of the disk as it was. Through every source (a file; S3 from S3Proxy;
 * HTTP from nginx, all on 127.0.0.1), with and without a size recorded before the first write
 * ({@code zstd -c} records it, {@code lz4 -c} does not), onto 512- and 4096-byte-sector loop devices.
 */
class PartialSectorTest {

    private static final int CAPACITY = 8 << 20;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static S3TestServer s3;
    private static NginxServer http;
    private static Path www;

    @BeforeAll
    static void startServers() throws IOException {
        s3 = S3TestServer.start(shared.resolve("s3"));
        s3.createBucket("images");
        www = Files.createDirectories(shared.resolve("www"));
        http = NginxServer.serving(www).start(shared.resolve("nginx"));
    }

    @AfterAll
    static void stopServers() throws IOException {
        try {
            http.close();
        } finally {
            s3.close();
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String source : List.of("file", "s3", "http")) {
            for (String codec : List.of("zstd", "lz4")) {
                for (int sector : new int[] {512, 4096}) {
                    cases.add(Arguments.of(source, codec, sector));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, {2}-byte sectors")
    @MethodSource("cases")
    void anImageEndingInsideASectorIsWrittenKeepingTheRestOfIt(String source, String codec, int sector)
            throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        // Several chunks, and an end inside a sector: 3 bytes past a sector boundary at the least.
        int size = (5 << 20) + sector * random.nextInt(256) + 3 + random.nextInt(sector - 3);
        byte[] image = TestImages.diskLike(random, size);
        Path raw = Files.write(dir.resolve("os.img"), image);
        Path compressed = dir.resolve("os.img." + codec);
        Cli.run(List.of(codec, "-q", "-c", raw.toString()), null, compressed);

        try (LoopDevice loop = LoopDevice.create(dir, CAPACITY, sector, LoopDevice.Backing.PAGE_CACHE)) {
            Files.write(loop.backingFile(), TestImages.random(random, CAPACITY));
            byte[] expected = loop.read(CAPACITY);
            System.arraycopy(image, 0, expected, 0, size);

            List<String> args = new ArrayList<>(List.of("flash", "--source", location(source, compressed),
                    "--target", loop.device().toString(), "--sha256", TestImages.sha256(image), "--progress", "none"));
            Map<String, String> env = Map.of();
            if (source.equals("s3")) {
                args.addAll(List.of("-o", "s3.endpoint=" + s3.endpoint()));
                env = s3.cliEnvironment();
            }
            var r = CliProcess.modulePathWithEnv(env, args.toArray(String[]::new));

            String where = source + ", " + codec + ", " + sector + "-byte sectors, size " + size + ", "
                    + Seeds.describe(seed);
            assertThat(r.exit()).as(r + where).isZero();
            assertThat(loop.read(CAPACITY)).as(where).isEqualTo(expected);
            assertThat(r.out()).as(where).contains("image bytes:   " + size)
                    .contains("last sector:   " + size % sector + " of its " + sector + " bytes from the image")
                    .contains("the other " + (sector - size % sector) + " kept what they held");
        }
    }

    private String location(String source, Path compressed) throws IOException {
        String name = compressed.getFileName() + "-" + Long.toHexString(new Random().nextLong());
        return switch (source) {
            case "s3" -> {
                s3.aws("s3", "cp", compressed.toString(), "s3://images/" + name);
                yield "s3://images/" + name;
            }
            case "http" -> {
                Files.copy(compressed, www.resolve(name));
                yield http.uri("/" + name).toString();
            }
            default -> compressed.toString();
        };
    }
}
