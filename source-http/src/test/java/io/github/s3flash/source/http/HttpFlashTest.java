package io.github.s3flash.source.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole flashes from real nginx servers on 127.0.0.1 into a real loop device, through the pipeline
 * as the CLI runs it ({@link ProviderRegistry#load()}: this source, the raw codec, the blockdev
 * sink): plain http with ranges, https with a private CA, and a server without range support.
 * Seeded image sizes (multiples of the 512-byte sector) and read settings; the device must hold the
 * image byte for byte. Also: an image replaced on the server mid-flash stops the flash with the
 * source-changed error.
 */
class HttpFlashTest {

    private static final int CAPACITY = 8 << 20;

    @TempDir
    static Path dir;

    static Path www;
    static NginxServer plain;
    static NginxServer tls;
    static NginxServer noRanges;
    static TestCertificates certificates;

    @BeforeAll
    static void startServers() throws IOException {
        www = Files.createDirectories(dir.resolve("www"));
        certificates = TestCertificates.create(dir.resolve("tls"));
        plain = NginxServer.serving(www).start(dir.resolve("nginx-plain"));
        tls = NginxServer.serving(www).tls(certificates.certificate(), certificates.key()).start(dir.resolve("nginx-tls"));
        noRanges = NginxServer.serving(www).withoutRanges().start(dir.resolve("nginx-no-ranges"));
    }

    @AfterAll
    static void stopServers() throws IOException {
        try (var a = plain; var b = tls; var c = noRanges) {
            // closes all three, in reverse order, even when one fails
        }
    }

    private static Options randomReads(Random random) {
        return Options.of(Map.of(
                "chunk-size", Integer.toString(4096 * (1 + random.nextInt(64))),
                "buffers", Integer.toString(2 + random.nextInt(4)),
                "read.part-size", Integer.toString(1 + random.nextInt(900_000)),
                "read.concurrency", Integer.toString(1 + random.nextInt(6))));
    }

    private void flashRounds(NginxServer server, Options serverOptions, boolean expectRanges) throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        var flasher = new Flasher(ProviderRegistry.load());
        try (var loop = LoopDevice.create(dir, CAPACITY)) {
            for (int round = 0; round < 5; round++) {
                int size = round == 0 ? CAPACITY : 512 * random.nextInt(CAPACITY / 512 + 1);
                byte[] image = TestImages.diskLike(random, size);
                String name = "image-" + seed + "-" + round + ".img";
                Files.write(www.resolve(name), image);
                Files.write(loop.backingFile(), TestImages.random(random, CAPACITY));
                Options options = randomReads(random).with(serverOptions);
                var events = new CopyOnWriteArrayList<ProgressEvent>();
                FlashResult result = flasher.flash(FlashPlan.of(server.uri("/" + name), loop.device())
                        .withCodec("raw").withOptions(options), events::add);
                String where = server.uri("/" + name) + ", size " + size + ", " + options.values() + ", "
                        + Seeds.describe(seed);
                assertThat(loop.read(size)).as(where).isEqualTo(image);
                assertThat(result.sha256()).as(where).isEqualTo(TestImages.sha256(image));
                assertThat(result.bytesRead()).as(where).isEqualTo(size);
                assertThat(result.sourceVersion()).as(where).startsWith("etag ");
                var started = (ProgressEvent.Started) events.getFirst();
                assertThat(started.image().rangeReads()).as(where).isEqualTo(expectRanges);
            }
        }
    }

    @Test
    void flashesFromPlainHttpWithParallelRangesByteExact() throws IOException {
        flashRounds(plain, Options.empty(), true);
        assertThat(plain.accessLog()).anySatisfy(line -> assertThat(line).contains(" 206 "));
    }

    @Test
    void flashesFromHttpsWithAPrivateCaByteExact() throws IOException {
        flashRounds(tls, Options.empty().with("http.ca-bundle", certificates.ca().toString()), true);
    }

    @Test
    void flashesFromAServerWithoutRangesAsOneStreamByteExact() throws IOException {
        flashRounds(noRanges, Options.empty(), false);
        assertThat(noRanges.accessLog()).noneSatisfy(line -> assertThat(line).contains(" 206 "));
    }

    @Test
    void anImageReplacedMidFlashStopsTheFlashWithSourceChanged() throws IOException {
        byte[] image = TestImages.diskLike(new Random(21), CAPACITY);
        Path file = Files.write(www.resolve("mid-flash.img"), image);
        URI uri = plain.uri("/mid-flash.img");
        // Small parts and chunks: when the first chunk is written, most of the image is still unread.
        Options options = Options.of(Map.of("chunk-size", "65536", "buffers", "2", "read.part-size", "131072",
                "read.concurrency", "2"));
        var replaced = new AtomicBoolean();
        List<ProgressEvent> events = new CopyOnWriteArrayList<>();
        try (var loop = LoopDevice.create(dir, CAPACITY)) {
            var flasher = new Flasher(ProviderRegistry.load());
            FlashPlan plan = FlashPlan.of(uri, loop.device()).withCodec("raw").withOptions(options);
            assertThatThrownBy(() -> flasher.flash(plan, event -> {
                events.add(event);
                if (event instanceof ProgressEvent.Progress && replaced.compareAndSet(false, true)) {
                    replace(file, TestImages.diskLike(new Random(22), CAPACITY));
                }
            }))
                    .isInstanceOf(FlashAbortedException.class)
                    .hasMessageContaining("was replaced during the flash")
                    .cause().isInstanceOf(SourceChangedException.class);
        }
        assertThat(replaced).isTrue();
        assertThat(plain.accessLog()).anySatisfy(line -> assertThat(line).contains("/mid-flash.img", " 412 "));
    }

    @Test
    void refusalsBeforeTheFirstWriteLeaveTheDeviceUnchanged() throws IOException {
        var random = new Random(Seeds.next());
        try (var loop = LoopDevice.create(dir, CAPACITY)) {
            Files.write(loop.backingFile(), TestImages.random(random, CAPACITY));
            String before = TestImages.sha256(loop.read(CAPACITY));
            var flasher = new Flasher(ProviderRegistry.load());
            assertThatThrownBy(() -> flasher.flash(FlashPlan.of(plain.uri("/no-such-image.img"), loop.device())
                            .withCodec("raw")))
                    .isInstanceOf(io.github.s3flash.api.ImageNotFoundException.class)
                    .hasMessageContaining("no-such-image.img");
            Files.write(www.resolve("refused.img"), TestImages.random(random, 1 << 20));
            assertThatThrownBy(() -> flasher.flash(FlashPlan.of(tls.uri("/refused.img"), loop.device())
                            .withCodec("raw")))
                    .hasMessageContaining("was not trusted");
            assertThat(TestImages.sha256(loop.read(CAPACITY))).isEqualTo(before);
        }
    }

    private static void replace(Path file, byte[] bytes) {
        try {
            Path temp = Files.write(file.resolveSibling(file.getFileName() + ".new"), bytes);
            Files.setLastModifiedTime(temp, FileTime.from(Instant.now().plusSeconds(3600)));
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
