package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.S3rverServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code s3flash flash} of indexed images as an operator runs it, with the packaged CLI: images made
 * with {@code s3flash image create} (signed with an {@code ssh-keygen} key), served from a file, from
 * S3 (S3Proxy, and s3rver as a second S3 implementation) and over HTTP (nginx) on 127.0.0.1, flashed
 * onto 512- and 4096-byte-sector loop devices. Byte-exact for seeded sizes, chunk sizes, codecs,
 * concurrency and zero modes; a byte flipped in chunk k fails naming chunk k and leaves its region of
 * the device as it was; a tampered manifest or signature, an unsigned image or one signed by a key
 * not allowed, and a wrong pinned digest are refused before the first write (exit 3, device
 * unchanged); a delta re-flash fetches the index only. The S3 servers differ where it matters here:
 * s3rver answers ranged reads its own way, and the client checks every answer's Content-Range.
 */
class IndexedFlashTest {

    private static final int CAPACITY = 40 << 20;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static S3TestServer s3;
    private static S3rverServer s3rver;
    private static NginxServer http;
    private static Path www;
    private static Path key;
    private static Path allowed;
    private static Path otherAllowed;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3TestServer.start(shared.resolve("s3"));
        s3.createBucket("images");
        s3rver = S3rverServer.start(shared.resolve("s3rver"), "images");
        www = Files.createDirectories(shared.resolve("www"));
        http = NginxServer.serving(www).start(shared.resolve("nginx"));
        key = keygen("signer");
        allowed = allowedSigners(key, "allowed_signers");
        otherAllowed = allowedSigners(keygen("stranger"), "other_allowed_signers");
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            http.close();
        } finally {
            try {
                s3rver.close();
            } finally {
                s3.close();
            }
        }
    }

    private static Path keygen(String name) throws Exception {
        Path k = shared.resolve(name);
        Cli.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", k.toString()), null,
                shared.resolve(name + ".out"));
        return k;
    }

    private static Path allowedSigners(Path k, String name) throws IOException {
        String[] pub = Files.readString(Path.of(k + ".pub")).strip().split(" ");
        return Files.writeString(shared.resolve(name), "ops@example.com " + pub[0] + " " + pub[1] + "\n");
    }

    /** Makes an indexed image of {@code image} with the CLI; signed when {@code signed}. */
    private Path create(byte[] image, String codec, String chunkSize, boolean signed) throws IOException {
        Path raw = Files.write(dir.resolve("os.img"), image);
        Path object = dir.resolve("os-" + Long.toHexString(new Random().nextLong()) + ".img." + codec);
        List<String> args = new ArrayList<>(List.of("image", "create", "--source", raw.toString(), "--target",
                object.toString(), "--codec", codec, "--chunk-size", chunkSize, "--progress", "none"));
        if (signed) {
            args.addAll(List.of("--sign-key", key.toString()));
        }
        var r = CliProcess.modulePath(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return object;
    }

    /** Puts {@code object} where {@code source} serves it, and returns its location. */
    private static String publish(String source, Path object) throws IOException {
        String name = object.getFileName() + "-" + Long.toHexString(new Random().nextLong());
        return switch (source) {
            case "s3" -> {
                s3.aws("s3", "cp", object.toString(), "s3://images/" + name);
                yield "s3://images/" + name;
            }
            case "s3rver" -> {
                s3rver.put("images", name, Files.readAllBytes(object));
                yield "s3://images/" + name;
            }
            case "http" -> {
                Files.copy(object, www.resolve(name));
                yield http.uri("/" + name).toString();
            }
            default -> object.toString();
        };
    }

    private static CliProcess.Result flash(String source, String location, Path device, String... more)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("flash", "--source", location, "--target", device.toString(),
                "--progress", "none"));
        args.addAll(List.of(more));
        Map<String, String> env = Map.of();
        if (source.equals("s3") || source.equals("s3rver")) {
            // s3rver accepts S3Proxy's test credentials.
            args.addAll(List.of("-o", "s3.endpoint=" + (source.equals("s3") ? s3.endpoint() : s3rver.endpoint())));
            env = s3.cliEnvironment();
        }
        return CliProcess.modulePathWithEnv(env, args.toArray(String[]::new));
    }

    private static final List<String> CHUNK_SIZES = List.of("64k", "256k", "1m", "4m");
    private static final java.util.concurrent.atomic.AtomicInteger chunkTurn = new java.util.concurrent.atomic.AtomicInteger();

    static Stream<Arguments> sources() {
        List<Arguments> cases = new ArrayList<>();
        for (String source : List.of("file", "s3", "s3rver", "http")) {
            for (int sector : new int[] {512, 4096}) {
                cases.add(Arguments.of(source, sector));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, {1}-byte sectors")
    @MethodSource("sources")
    void flashesASignedIndexedImageByteExact(String source, int sector) throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        int size = 1 + random.nextInt(12 << 20);
        byte[] image = TestImages.diskLike(random, size);
        String codec = random.nextBoolean() ? "lz4" : "zstd";
        // In turn over the cases, so every size runs: small ones, and the default 4 MiB of several of the
        // writer's and decoder's slices.
        String chunk = CHUNK_SIZES.get(chunkTurn.getAndIncrement() % CHUNK_SIZES.size());
        String zero = List.of("write", "zeroout", "skip-if-zero").get(random.nextInt(3));
        String concurrency = Integer.toString(1 + random.nextInt(8));
        String location = publish(source, create(image, codec, chunk, true));
        try (LoopDevice loop = LoopDevice.create(dir, CAPACITY, sector, LoopDevice.Backing.PAGE_CACHE)) {
            Files.write(loop.backingFile(), TestImages.random(random, CAPACITY));
            byte[] expected = loop.read(CAPACITY);
            System.arraycopy(image, 0, expected, 0, size);

            var r = flash(source, location, loop.device(), "--trusted-keys", allowed.toString(), "--zero", zero,
                    "-o", "read.concurrency=" + concurrency);
            String where = source + ", " + sector + "-byte sectors, " + size + " bytes, " + codec + " chunks of "
                    + chunk + ", zero " + zero + ", concurrency " + concurrency + ", " + Seeds.describe(seed);
            assertThat(r.exit()).as(r + where).isZero();
            assertThat(loop.read(CAPACITY)).as(where).isEqualTo(expected);
            assertThat(r.out()).as(where).contains("trust:         signature: signed by ED25519")
                    .contains("image bytes:   " + size + " ");
        }
    }

    @Test
    void aByteFlippedInChunkKFailsNamingItAndItsRegionIsUnchanged() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.random(random, (6 << 20) + random.nextInt(1 << 20));
        Path object = create(image, "lz4", "1m", true);
        // The chunk frames follow the 16-byte head frame; the manifest says where chunk k's frame is.
        List<long[]> frames = chunkFrames(object);
        int k = random.nextInt(frames.size());
        byte[] bytes = Files.readAllBytes(object);
        int at = (int) frames.get(k)[0] + 20 + random.nextInt((int) frames.get(k)[1] - 24);
        bytes[at] ^= 0x10;
        Files.write(object, bytes);
        for (String source : List.of("s3", "s3rver", "http")) {
            String location = publish(source, object);
            try (LoopDevice loop = LoopDevice.create(dir, CAPACITY, 512, LoopDevice.Backing.PAGE_CACHE)) {
                Files.write(loop.backingFile(), TestImages.random(random, CAPACITY));
                byte[] before = loop.read(CAPACITY);
                var r = flash(source, location, loop.device(), "--trusted-keys", allowed.toString());
                String where = source + ", byte " + at + " of chunk " + k + ", " + Seeds.describe(seed);
                assertThat(r.exit()).as(r + where).isIn(ExitCode.REFUSED, ExitCode.FAILED_AFTER_WRITE);
                assertThat(r.err()).as(where).contains("chunk " + k + " (image bytes [" + ((long) k << 20) + ", ");
                byte[] after = loop.read(CAPACITY);
                int from = k << 20;
                int to = Math.min(image.length, from + (1 << 20));
                assertThat(Arrays.copyOfRange(after, from, to)).as(where + ": chunk " + k + "'s region")
                        .isEqualTo(Arrays.copyOfRange(before, from, to));
            }
        }
    }

    @Test
    void untrustedImagesAreRefusedBeforeTheFirstWrite() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.diskLike(random, (3 << 20) + random.nextInt(1 << 20));
        Path signed = create(image, "zstd", "256k", true);
        Path unsigned = create(image, "zstd", "256k", false);
        byte[] bytes = Files.readAllBytes(signed);
        long[] footer = footer(bytes);
        byte[] manifestFlipped = bytes.clone();
        manifestFlipped[(int) footer[0] + 8 + 40] ^= 1;
        byte[] signatureFlipped = bytes.clone();
        // Inside the armored signature's base64 body: past the frame header and the BEGIN line.
        signatureFlipped[(int) footer[1] + 8 + 60] ^= 0x01;
        Path badManifest = Files.write(dir.resolve("bad-manifest.img.zst"), manifestFlipped);
        Path badSignature = Files.write(dir.resolve("bad-signature.img.zst"), signatureFlipped);
        String digest = digestOf(signed);
        String wrong = (digest.charAt(0) == '0' ? "1" : "0") + digest.substring(1);

        record Case(String name, Path object, List<String> flags, String says) {}
        List<Case> cases = List.of(
                new Case("tampered manifest", badManifest, List.of("--trusted-keys", allowed.toString()),
                        "the manifest is damaged"),
                new Case("tampered signature", badSignature, List.of("--trusted-keys", allowed.toString()),
                        "no signature of the image is by a trusted key"),
                new Case("unsigned", unsigned, List.of("--trusted-keys", allowed.toString()), "not signed"),
                new Case("key not allowed", signed, List.of("--trusted-keys", otherAllowed.toString()),
                        "no signature of the image is by a trusted key"),
                new Case("wrong digest", signed, List.of("--image-digest", wrong), "was pinned"));
        for (String source : List.of("s3", "s3rver", "http")) {
            try (LoopDevice loop = LoopDevice.create(dir, CAPACITY, 4096, LoopDevice.Backing.PAGE_CACHE)) {
                Files.write(loop.backingFile(), TestImages.random(random, CAPACITY));
                String before = TestImages.sha256(loop.read(CAPACITY));
                for (Case c : cases) {
                    List<String> args = new ArrayList<>(c.flags());
                    args.addAll(List.of("--report", "json"));
                    var r = flash(source, publish(source, c.object()), loop.device(), args.toArray(String[]::new));
                    String where = source + ", " + c.name() + ", " + Seeds.describe(seed);
                    assertThat(r.exit()).as(r + where).isEqualTo(ExitCode.REFUSED);
                    assertThat(r.err()).as(where).contains("refused, nothing was written").contains(c.says());
                    assertThat(r.out()).as(where).contains("\"writing_started\":false");
                    assertThat(TestImages.sha256(loop.read(CAPACITY))).as(where + ": the device is unchanged")
                            .isEqualTo(before);
                }
                var pinned = flash(source, publish(source, signed), loop.device(), "--image-digest", digest);
                assertThat(pinned.exit()).as(pinned.toString()).isZero();
                assertThat(pinned.out()).contains("trust:         image-digest: image digest " + digest);
                assertThat(Arrays.copyOf(loop.read(CAPACITY), image.length)).isEqualTo(image);
            }
        }
    }

    @Test
    void aDeltaReflashFetchesTheIndexOnly() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.random(random, 32 << 20);
        Path object = create(image, "lz4", "1m", true);
        String location = publish("s3", object);
        try (LoopDevice loop = LoopDevice.create(dir, CAPACITY, 4096, LoopDevice.Backing.PAGE_CACHE)) {
            var first = flash("s3", location, loop.device(), "--delta", "--report", "json");
            assertThat(first.exit()).as(first.toString()).isZero();
            assertThat(first.out()).contains("\"chunks\":{\"written\":32,\"identical\":0,\"zero\":0}");
            var again = flash("s3", location, loop.device(), "--delta", "--report", "json");
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.out()).contains("\"chunks\":{\"written\":0,\"identical\":32,\"zero\":0}");
            long fetched = jsonLong(again.out(), "fetched");
            long manifest = footer(Files.readAllBytes(object))[2];
            assertThat(fetched).as("bytes fetched by the delta re-flash, " + Seeds.describe(seed))
                    .isLessThanOrEqualTo(manifest + Files.size(object) / 100);
            assertThat(Arrays.copyOf(loop.read(CAPACITY), image.length)).isEqualTo(image);
        }
    }

    private static long jsonLong(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private String digestOf(Path object) throws IOException {
        var r = CliProcess.modulePath("image", "inspect", object.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        Matcher m = Pattern.compile("(?m)^  image digest:\\s+(\\S+)").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        return m.group(1);
    }

    /**
     * The footer's manifest offset, signature offset and manifest length (docs/image-format.md
     * section 6: the footer's 64-byte payload ends the object; the signature frame follows the
     * manifest frame).
     */
    private static long[] footer(byte[] object) {
        ByteBuffer f = ByteBuffer.wrap(object, object.length - 64, 64).slice().order(ByteOrder.LITTLE_ENDIAN);
        long manifestOffset = f.getLong(16);
        long manifestLength = f.getInt(24) & 0xffffffffL;
        return new long[] {manifestOffset, manifestOffset + 8 + manifestLength, manifestLength};
    }

    /** Each chunk's frame as {offset, length} in the object, as its manifest records them. */
    private static List<long[]> chunkFrames(Path object) throws IOException {
        var source = ProviderRegistry.load().source(object.toUri(), Options.empty());
        try (PinnedImage pinned = source.open(object.toUri(), Options.empty())) {
            return IndexedImage.require(pinned, RetryPolicy.DEFAULT).manifest().chunks().stream()
                    .map(c -> new long[] {c.compressedOffset(), c.compressedLength()}).toList();
        }
    }
}
