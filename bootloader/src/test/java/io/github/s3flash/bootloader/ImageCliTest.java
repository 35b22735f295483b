package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.index.Chunk;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3flash image} as users run it, the packaged CLI in a JVM of its own: create from a file and
 * from stdin to a file and to stdout (the stock lz4/zstd CLIs decode the result), inspect reading only
 * the tail (bytes counted by nginx), verify, manifest and sign with {@code ssh-keygen} as the oracle
 * both ways, the tamper matrix with exact diagnoses and exit codes, and every refusal.
 */
class ImageCliTest {

    @TempDir
    static Path keys;

    @TempDir
    Path dir;

    private static Path opsKey;
    private static Path otherKey;
    private static Path allowed;

    @BeforeAll
    static void sshKeys() throws IOException, InterruptedException {
        opsKey = keygen("ops", "ed25519", "ops@example.com");
        otherKey = keygen("other", "ecdsa", "ci@example.com");
        allowed = Files.writeString(keys.resolve("allowed_signers"),
                "ops@example.com namespaces=\"s3flash-image\" " + publicLine(opsKey) + "\n");
    }

    static Path keygen(String name, String type, String comment) throws IOException, InterruptedException {
        Path key = keys.resolve(name);
        Cli.run(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment, "-f", key.toString()), null,
                keys.resolve(name + ".out"));
        return key;
    }

    static String publicLine(Path key) throws IOException {
        String[] f = Files.readString(Path.of(key + ".pub")).strip().split(" ");
        return f[0] + " " + f[1];
    }

    private static void assertNoStackTrace(CliProcess.Result r) {
        assertThat(r.exit()).as(r.toString()).isNotEqualTo(ExitCode.INTERNAL);
        assertThat(r.err()).as(r.toString()).doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    private static String field(String report, String name) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + ":\\s+(.*)$").matcher(report);
        assertThat(m.find()).as(name + " in " + report).isTrue();
        return m.group(1).strip();
    }

    private Path image(long seed, int size) throws IOException {
        return Files.write(dir.resolve("disk.img"), TestImages.diskLike(new Random(seed), size));
    }

    private static byte[] decode(Path object, String codec) throws IOException, InterruptedException {
        Path out = object.resolveSibling(object.getFileName() + ".decoded");
        Cli.run(List.of(codec, "-d", "-c", "-q"), object, out);
        return Files.readAllBytes(out);
    }

    @Test
    void createFromAFileOrStdinToAFileOrStdoutDecodesWithTheStockClis() throws Exception {
        long seed = Seeds.next();
        Path raw = image(seed, 9 * (1 << 20) + 12345);
        byte[] bytes = Files.readAllBytes(raw);
        Path lz4 = dir.resolve("os.img.lz4");
        var r = CliProcess.modulePath("image", "create", "--source", raw.toString(), "--target", lz4.toString(),
                "--chunk-size", "1m", "--progress", "none");
        assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
        assertThat(decode(lz4, "lz4")).as(Seeds.describe(seed)).isEqualTo(bytes);
        assertThat(field(r.out(), "image bytes")).startsWith(Long.toString(bytes.length));
        assertThat(field(r.out(), "chunks")).startsWith("10 (");
        assertThat(field(r.out(), "signer")).isEqualTo("none (unsigned)");
        String digest = field(r.out(), "image digest");

        Path zst = dir.resolve("os.img.zst");
        var piped = ImageCli.piped(raw, zst, Map.of(), List.of(), "image", "create", "--source", "-", "--target", "-",
                "--codec", "zstd", "--level", "5", "--chunk-size", "2m", "--progress", "none");
        assertThat(piped.exit()).as(piped.toString()).isZero();
        assertThat(piped.err()).as("the report goes to stderr when the image goes to stdout")
                .contains("created an indexed image on stdout").contains("codec:         zstd (level 5)");
        assertThat(decode(zst, "zstd")).as(Seeds.describe(seed)).isEqualTo(bytes);

        Path fromStdin = dir.resolve("stdin.img.lz4");
        var stdin = ImageCli.piped(raw, null, Map.of(), List.of(), "image", "create", "--source", "-", "--target",
                fromStdin.toString(), "--chunk-size", "1m", "--progress", "none");
        assertThat(stdin.exit()).as(stdin.toString()).isZero();
        assertThat(Files.readAllBytes(fromStdin)).as("the same bytes from a file or a pipe").isEqualTo(Files.readAllBytes(lz4));

        var inspect = CliProcess.modulePath("image", "inspect", lz4.toString());
        assertThat(inspect.exit()).as(inspect.toString()).isZero();
        assertThat(field(inspect.out(), "image digest")).isEqualTo(digest);
        assertThat(field(inspect.out(), "signature")).isEqualTo("absent");
        var verify = CliProcess.modulePath("image", "verify", zst.toString(), "--progress", "none");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(field(verify.out(), "trust")).startsWith("none: not authenticated");
    }

    /**
     * A file laid out as file systems are, made with the default 4 MiB chunks: each chunk is read from
     * the file's mapped pages in 1 MiB slices, and here chunks begin with one to three zero slices
     * (or a hole) before their data, as an empty block group does before the next one's metadata.
     * Then a real ext4 file system from {@code mkfs.ext4 -d}. {@code lz4 -d} must give back each file
     * byte for byte.
     */
    @Test
    void createFromAFileWhoseChunksBeginWithZerosGivesBackEveryByte() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        int mib = 1 << 20;
        int chunk = 4 * mib;
        byte[] bytes = TestImages.chunksBeginningWithZeros(random, 6 * chunk + 12345, chunk, 0);
        // Every zero block is a hole of the sparse file.
        Path raw = TestImages.writeSparse(dir.resolve("layout.img"), bytes);
        assertThat(Files.readAllBytes(raw)).as("the sparse file written").isEqualTo(bytes);

        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.write(tree.resolve("noise"), TestImages.random(random, 3 * mib + 777));
        Files.write(tree.resolve("text"), TestImages.diskLike(random, 5 * mib));
        Path ext4 = dir.resolve("ext4.img");
        Cli.run(List.of("mkfs.ext4", "-q", "-F", "-d", tree.toString(), ext4.toString(), "40M"), null,
                dir.resolve("mkfs.out"));

        for (Path input : List.of(raw, ext4)) {
            Path object = dir.resolve(input.getFileName() + ".lz4");
            var r = CliProcess.modulePath("image", "create", "--source", input.toString(), "--target",
                    object.toString(), "--progress", "none");
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            byte[] expected = Files.readAllBytes(input);
            byte[] decoded = decode(object, "lz4");
            assertThat(Arrays.mismatch(decoded, expected)).as(input + ": the first byte lz4 -d gives back that"
                    + " differs from the file's (of " + decoded.length + " decoded), -1 when none; "
                    + Seeds.describe(seed)).isEqualTo(-1);
            var verify = CliProcess.modulePath("image", "verify", object.toString(), "--progress", "none");
            assertThat(verify.exit()).as(verify.toString()).isZero();
        }
    }

    @Test
    void inspectReadsOnlyTheTailOfTheObject() throws Exception {
        long seed = Seeds.next();
        Path raw = Files.write(dir.resolve("random.img"), TestImages.random(new Random(seed), 3 << 20));
        Path served = Files.createDirectories(dir.resolve("www"));
        var r = CliProcess.modulePath("image", "create", "--source", raw.toString(), "--target",
                served.resolve("os.img.lz4").toString(), "--chunk-size", "64k", "--progress", "none");
        assertThat(r.exit()).as(r.toString()).isZero();
        long length = Files.size(served.resolve("os.img.lz4"));
        try (var nginx = NginxServer.serving(served).start(dir.resolve("nginx"))) {
            var inspect = CliProcess.modulePath("image", "inspect", nginx.uri("/os.img.lz4").toString(), "--json");
            assertThat(inspect.exit()).as(inspect.toString()).isZero();
            assertThat(inspect.out()).contains("\"bytesRead\": 262144").contains("\"chunks\": 48")
                    .contains("\"status\": \"absent\"");
            // The HTTP source's open probes one byte (bytes=0-0); then the index is one ranged read of the tail.
            long sent = 0;
            for (String line : nginx.accessLog()) {
                if (line.contains(" /os.img.lz4 ") && !line.contains(" bytes=0-0 ")) {
                    assertThat(line).contains(" bytes=" + (length - 262144) + "-" + (length - 1) + " ");
                    sent += Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            assertThat(sent).as("body bytes nginx sent of a " + length + "-byte object: " + nginx.accessLog())
                    .isEqualTo(262144);
        }
    }

    @Test
    void signaturesVerifyWithSshKeygenAndSshKeygensWithUs() throws Exception {
        Path raw = image(Seeds.next(), 3 << 20);
        Path object = dir.resolve("signed.img.lz4");
        var create = CliProcess.modulePath("image", "create", "--source", raw.toString(), "--target", object.toString(),
                "--chunk-size", "1m", "--sign-key", opsKey.toString(), "--progress", "none");
        assertThat(create.exit()).as(create.toString()).isZero();
        String fingerprint = field(create.out(), "signer");
        assertThat(fingerprint).startsWith("ED25519 SHA256:");

        var inspect = CliProcess.modulePath("image", "inspect", object.toString(), "--trusted-keys", allowed.toString());
        assertThat(field(inspect.out(), "signature")).startsWith("valid: ED25519").contains("principal ops@example.com");

        // Ours, checked by ssh-keygen: the manifest's bytes and a signature written with --output.
        Path manifest = dir.resolve("manifest");
        var m = ImageCli.piped(null, manifest, Map.of(), List.of(), "image", "manifest", object.toString());
        assertThat(m.exit()).as(m.toString()).isZero();
        Path ours = dir.resolve("ours.sig");
        var sign = CliProcess.modulePath("image", "sign", object.toString(), "--key", opsKey.toString(), "--output",
                ours.toString());
        assertThat(sign.exit()).as(sign.toString()).isZero();
        Path verified = dir.resolve("verified.out");
        Cli.run(List.of("sh", "-c", "ssh-keygen -Y verify -f " + allowed + " -I ops@example.com -n s3flash-image -s "
                + ours + " < " + manifest + " 2>&1"), null, verified);
        assertThat(Files.readString(verified)).contains("Good \"s3flash-image\" signature for ops@example.com");

        // ssh-keygen's, published beside the image and checked by us.
        Cli.run(List.of("ssh-keygen", "-Y", "sign", "-n", "s3flash-image", "-f", otherKey.toString(),
                manifest.toString()), null, dir.resolve("sign.out"));
        var publish = CliProcess.modulePath("image", "sign", object.toString(), "--signature", manifest + ".sig");
        assertThat(publish.exit()).as(publish.toString()).isZero();
        assertThat(Path.of(object + ".sshsig")).exists();
        Path ciAllowed = Files.writeString(dir.resolve("ci_allowed"), "ci@example.com " + publicLine(otherKey) + "\n");
        var detached = CliProcess.modulePath("image", "verify", object.toString(), "--trusted-keys", ciAllowed.toString(),
                "--progress", "none");
        assertThat(detached.exit()).as(detached.toString()).isZero();
        assertThat(detached.out()).contains("valid: ECDSA").contains("(" + object.toUri() + ".sshsig)")
                .contains("untrusted: ED25519");

        // Rejections: a key not in the file, another namespace, other bytes.
        Path nobody = Files.writeString(dir.resolve("nobody"), "x@example.com " + publicLine(keygen("x", "ed25519",
                "x")) + "\n");
        var untrusted = CliProcess.modulePath("image", "verify", object.toString(), "--trusted-keys", nobody.toString(),
                "--progress", "none");
        assertThat(untrusted.exit()).as(untrusted.toString()).isEqualTo(ExitCode.VERIFICATION_FAILED);
        assertThat(untrusted.err()).contains("verification failed: no signature of the image is by a trusted key")
                .contains("is not in allowed signers file " + nobody);
        Files.delete(Path.of(manifest + ".sig"));
        Cli.run(List.of("ssh-keygen", "-Y", "sign", "-n", "git", "-f", otherKey.toString(), "-O", "hashalg=sha256",
                manifest.toString()), null, dir.resolve("git.out"));
        var git = CliProcess.modulePath("image", "sign", object.toString(), "--signature", manifest + ".sig");
        assertThat(git.exit()).as(git.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(git.err()).contains("is not one of this image's manifest").contains("namespace 'git'");
        Path other = Files.write(dir.resolve("other-bytes"), "not the manifest".getBytes());
        Cli.run(List.of("ssh-keygen", "-Y", "sign", "-n", "s3flash-image", "-f", otherKey.toString(), other.toString()),
                null, dir.resolve("other.out"));
        var otherBytes = CliProcess.modulePath("image", "sign", object.toString(), "--signature", other + ".sig");
        assertThat(otherBytes.exit()).as(otherBytes.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(otherBytes.err()).contains("does not match: it was made over other bytes");
        for (var r : List.of(inspect, m, sign, publish, detached, untrusted, git, otherBytes)) {
            assertNoStackTrace(r);
        }
    }

    /** A damaged copy of {@code object} and what inspect and verify must answer. */
    private record Tamper(String what, byte[] bytes, int inspectExit, String inspectSays, int verifyExit,
            String verifySays) {}

    @Test
    void tamperingIsNamedExactlyByInspectAndVerify() throws Exception {
        long seed = Seeds.next();
        Path raw = image(seed, 5 * (1 << 20) + 777);
        Path object = dir.resolve("good.img.lz4");
        var create = CliProcess.modulePath("image", "create", "--source", raw.toString(), "--target", object.toString(),
                "--chunk-size", "1m", "--sign-key", opsKey.toString(), "--progress", "none");
        assertThat(create.exit()).as(create.toString()).isZero();
        byte[] good = Files.readAllBytes(object);
        IndexedImage index;
        try (PinnedImage pinned = ProviderRegistry.load().source(object.toUri(), Options.empty())
                .open(object.toUri(), Options.empty())) {
            index = IndexedImage.require(pinned, RetryPolicy.DEFAULT);
        }
        Chunk chunk = index.manifest().chunks().stream().filter(c -> !c.zero()).skip(1).findFirst().orElseThrow();
        long manifestAt = index.manifestOffset() + 8;
        long signatureAt = manifestAt + index.manifest().length() + 8;
        long footerAt = good.length - 72;
        List<Tamper> matrix = List.of(
                new Tamper("a byte of the head frame", flip(good, 10), ExitCode.OK, "signature:     valid",
                        ExitCode.VERIFICATION_FAILED, "does not start with the 16-byte head frame"),
                new Tamper("a byte of " + chunk.describe(), flip(good, chunk.compressedOffset() + chunk.compressedLength() / 2),
                        ExitCode.OK, "signature:     valid", ExitCode.VERIFICATION_FAILED,
                        "verification failed: " + chunk.describe()),
                new Tamper("a byte of the manifest", flip(good, manifestAt + 100), ExitCode.REFUSED,
                        "the manifest is damaged", ExitCode.VERIFICATION_FAILED, "the manifest is damaged"),
                new Tamper("a byte of the signature", flip(good, signatureAt + 120), ExitCode.OK, "signature:     invalid",
                        ExitCode.VERIFICATION_FAILED, "the embedded signature is invalid"),
                new Tamper("a byte of the footer", flip(good, footerAt + 30), ExitCode.REFUSED,
                        "the index footer is damaged", ExitCode.VERIFICATION_FAILED, "the index footer is damaged"),
                new Tamper("cut inside the chunk frames", Arrays.copyOf(good, (int) chunk.compressedEnd() - 5),
                        ExitCode.REFUSED, "is not an indexed image", ExitCode.REFUSED, "is not an indexed image"),
                new Tamper("cut inside the manifest", Arrays.copyOf(good, (int) manifestAt + 200), ExitCode.REFUSED,
                        "it was truncated at " + (manifestAt + 200) + " bytes", ExitCode.VERIFICATION_FAILED,
                        "it was truncated"),
                new Tamper("cut inside the signature", Arrays.copyOf(good, (int) signatureAt + 10), ExitCode.REFUSED,
                        "it was truncated", ExitCode.VERIFICATION_FAILED, "it was truncated"),
                new Tamper("cut inside the footer", Arrays.copyOf(good, good.length - 1), ExitCode.REFUSED,
                        "it was truncated", ExitCode.VERIFICATION_FAILED, "it was truncated"),
                new Tamper("garbage appended", Arrays.copyOf(good, good.length + 10), ExitCode.REFUSED,
                        "is followed by 10 more bytes: bytes were appended", ExitCode.VERIFICATION_FAILED,
                        "bytes were appended"));
        for (Tamper t : matrix) {
            Path bad = Files.write(dir.resolve("bad.img.lz4"), t.bytes());
            var inspect = CliProcess.modulePath("image", "inspect", bad.toString(), "--trusted-keys", allowed.toString());
            String where = t.what() + ", " + Seeds.describe(seed);
            assertThat(inspect.exit()).as(where + ": " + inspect).isEqualTo(t.inspectExit());
            assertThat(inspect.out() + inspect.err()).as(where).contains(t.inspectSays());
            var verify = CliProcess.modulePath("image", "verify", bad.toString(), "--trusted-keys", allowed.toString(),
                    "--progress", "none");
            assertThat(verify.exit()).as(where + ": " + verify).isEqualTo(t.verifyExit());
            assertThat(verify.err()).as(where).contains(t.verifySays());
            assertNoStackTrace(inspect);
            assertNoStackTrace(verify);
        }
        var intact = CliProcess.modulePath("image", "verify", object.toString(), "--trusted-keys", allowed.toString(),
                "--image-digest", index.digest(), "--progress", "none");
        assertThat(intact.exit()).as(intact.toString()).isZero();
        assertThat(field(intact.out(), "trust")).startsWith("image-digest: image digest " + index.digest());
    }

    private static byte[] flip(byte[] bytes, long at) {
        byte[] copy = bytes.clone();
        copy[(int) at] ^= 0x20;
        return copy;
    }

    @Test
    void refusalsHaveTheirExitCodesAndLeaveNothingBehind() throws Exception {
        Path raw = image(1, 1 << 20);
        Path target = dir.resolve("out.img.lz4");
        Path encrypted = keys.resolve("encrypted");
        Cli.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f", encrypted.toString()), null,
                keys.resolve("encrypted.out"));
        record Case(String what, int exit, String says, String... args) {}
        List<Case> cases = List.of(
                new Case("a missing source", ExitCode.REFUSED, "source " + dir.resolve("nope") + " does not exist",
                        "image", "create", "--source", dir.resolve("nope").toString(), "--target", target.toString()),
                new Case("a chunk size that is not a power of two", ExitCode.USAGE, "chunk size 3145728 is not valid",
                        "image", "create", "--source", raw.toString(), "--target", target.toString(), "--chunk-size", "3m"),
                new Case("an unknown codec", ExitCode.REFUSED, "unknown codec 'xz'",
                        "image", "create", "--source", raw.toString(), "--target", target.toString(), "--codec", "xz"),
                new Case("the raw codec", ExitCode.USAGE, "codec raw cannot make one",
                        "image", "create", "--source", raw.toString(), "--target", target.toString(), "--codec", "raw"),
                new Case("an encrypted key", ExitCode.REFUSED, "s3flash image manifest URI > manifest; ssh-keygen -Y sign",
                        "image", "create", "--source", raw.toString(), "--target", target.toString(), "--sign-key",
                        encrypted.toString()),
                new Case("a directory that does not exist", ExitCode.REFUSED, "does not exist; create it first",
                        "image", "create", "--source", raw.toString(), "--target", dir.resolve("no/dir/x.lz4").toString()),
                new Case("a missing image", ExitCode.REFUSED, "does not exist",
                        "image", "inspect", dir.resolve("missing.lz4").toString()),
                new Case("a plain image", ExitCode.REFUSED, "is not an indexed image",
                        "image", "verify", plainLz4(raw).toString()),
                new Case("no subcommand", ExitCode.USAGE, "give a subcommand", "image"),
                new Case("sign without a key or signature", ExitCode.USAGE, "Missing required argument",
                        "image", "sign", target.toString()));
        for (Case c : cases) {
            var r = CliProcess.modulePath(c.args());
            assertThat(r.exit()).as(c.what() + ": " + r).isEqualTo(c.exit());
            assertThat(r.err()).as(c.what()).contains(c.says());
            assertNoStackTrace(r);
        }
        assertThat(target).as("nothing published by a refused create").doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".s3flash-partial"));
        }
    }

    private Path plainLz4(Path raw) throws IOException, InterruptedException {
        Path plain = dir.resolve("plain.img.lz4");
        Cli.run(List.of("lz4", "-q", "-c", raw.toString()), null, plain);
        return plain;
    }
}
