package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3flash image} against a real S3 API server (S3Proxy on 127.0.0.1): create streams a
 * multipart upload that {@code aws s3 cp} and {@code lz4 -d} read back into the image; inspect,
 * verify and sign work on {@code s3://} (sign writes {@code <key>.sshsig}); a 4 GiB sparse image from
 * stdin streams to S3 under {@code -Xmx128m} with a bounded peak RSS, measured with {@code
 * /usr/bin/time -v}.
 */
class ImageS3Test {

    @RegisterExtension
    static final S3Fixture s3 = new S3Fixture("images");

    @TempDir
    Path dir;

    private static CliProcess.Result cli(String... args) throws IOException {
        return CliProcess.modulePathWithEnv(s3.cliEnvironment(), args);
    }

    private static String field(String report, String name) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + ":\\s+(.*)$").matcher(report);
        assertThat(m.find()).as(name + " in " + report).isTrue();
        return m.group(1).strip();
    }

    @Test
    void createInspectVerifyAndSignOnS3() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 13 * (1 << 20) + 4096 * 3);
        Path raw = Files.write(dir.resolve("disk.img"), image);
        Path key = dir.resolve("id_ed25519");
        Cli.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops@example.com", "-f", key.toString()),
                null, dir.resolve("keygen.out"));
        String[] pub = Files.readString(Path.of(key + ".pub")).strip().split(" ");
        Path allowed = Files.writeString(dir.resolve("allowed_signers"), "ops@example.com " + pub[0] + " " + pub[1] + "\n");

        var create = cli("image", "create", "--source", raw.toString(), "--target", "s3://images/os/disk.img.lz4",
                "--chunk-size", "1m", "--sign-key", key.toString(), "-o", "s3.upload.part-size=5m", "--progress", "none");
        assertThat(create.exit()).as(create + Seeds.describe(seed)).isZero();
        String digest = field(create.out(), "image digest");

        Path downloaded = dir.resolve("downloaded.lz4");
        s3.server().aws("s3", "cp", "s3://images/os/disk.img.lz4", downloaded.toString());
        Path decoded = dir.resolve("decoded");
        Cli.run(List.of("lz4", "-d", "-c"), downloaded, decoded);
        assertThat(Files.readAllBytes(decoded)).as(Seeds.describe(seed)).isEqualTo(image);
        assertThat(field(create.out(), "object bytes")).startsWith(Long.toString(Files.size(downloaded)));

        var inspect = cli("image", "inspect", "s3://images/os/disk.img.lz4", "--trusted-keys", allowed.toString());
        assertThat(inspect.exit()).as(inspect.toString()).isZero();
        assertThat(field(inspect.out(), "image digest")).isEqualTo(digest);
        assertThat(field(inspect.out(), "signature")).startsWith("valid: ED25519");

        var sign = cli("image", "sign", "s3://images/os/disk.img.lz4", "--key", key.toString());
        assertThat(sign.exit()).as(sign.toString()).isZero();
        assertThat(field(sign.out(), "signature")).isEqualTo("s3://images/os/disk.img.lz4.sshsig");
        assertThat(s3.server().aws("s3", "ls", "s3://images/os/")).contains("disk.img.lz4.sshsig");

        var verify = cli("image", "verify", "s3://images/os/disk.img.lz4", "--trusted-keys", allowed.toString(),
                "--progress", "none");
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("(embedded)").contains("(s3://images/os/disk.img.lz4.sshsig)")
                .contains("chunks:        14 of 14");
    }

    @Test
    void aFourGibibyteSparseImageStreamsFromStdinToS3WithBoundedMemory() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        Path sparse = dir.resolve("sparse.img");
        try (var file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(4L << 30);
            for (int i = 0; i < 16; i++) {
                file.seek(random.nextLong((4L << 30) - (4 << 20)) & ~4095L);
                file.write(TestImages.random(random, 4 << 20));
            }
        }
        Path sha = dir.resolve("sha.out");
        Cli.run(List.of("sha256sum", sparse.toString()), null, sha);
        String expected = Files.readString(sha).split(" ")[0];

        Path time = dir.resolve("time.out");
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-v", "-o", time.toString()));
        command.addAll(ImageCli.command(List.of("-Xmx128m"), "image", "create", "--source", "-", "--target",
                "s3://images/sparse.img.lz4", "--progress", "none"));
        String line = String.join(" ", command.stream().map(ImageCli::quote).toList()) + " < " + ImageCli.quote(sparse.toString());
        var create = CliProcess.run(List.of("sh", "-c", line), s3.cliEnvironment());
        assertThat(create.exit()).as(create + Seeds.describe(seed)).isZero();
        assertThat(field(create.out(), "image bytes")).startsWith(Long.toString(4L << 30));
        Matcher rss = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)").matcher(Files.readString(time));
        assertThat(rss.find()).isTrue();
        long peakMiB = Long.parseLong(rss.group(1)) >> 10;
        System.out.println("image create of a 4 GiB sparse image from stdin to S3 under -Xmx128m: peak RSS " + peakMiB
                + " MiB");
        assertThat(peakMiB).as("peak RSS in MiB, the JVM included (heap capped at 128 MiB)").isLessThan(256);

        Path decodedSha = dir.resolve("decoded.sha");
        var pipeline = new ProcessBuilder("sh", "-c", String.join(" ", s3.server().awsCommand("s3", "cp",
                "s3://images/sparse.img.lz4", "-").stream().map(ImageCli::quote).toList()) + " | lz4 -d -c | sha256sum")
                .redirectOutput(decodedSha.toFile()).redirectErrorStream(false);
        pipeline.environment().putAll(s3.server().cliEnvironment());
        assertThat(pipeline.start().waitFor()).isZero();
        assertThat(Files.readString(decodedSha).split(" ")[0]).as("aws s3 cp | lz4 -d | sha256sum, " + Seeds.describe(seed))
                .isEqualTo(expected);
    }
}
