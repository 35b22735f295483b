package io.github.s3flash.examples.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.ManifestSigner;
import io.github.s3flash.api.index.TrustDecision;
import io.github.s3flash.api.index.TrustPolicy;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.api.sshsig.AllowedSigners;
import io.github.s3flash.api.sshsig.SshPrivateKey;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publishing indexed images against a real S3 API server (S3Proxy on 127.0.0.1): the library route
 * ({@link ImagePublisher}) and the upload script's {@code --device} route (the packaged s3flash CLI).
 * The stock {@code aws} and {@code lz4}/{@code zstd} CLIs read the objects back into the image; the
 * index read through the S3 source has the digest and a signature the allowed signers trust. The
 * script's AMI route needs EC2 (describe-images, volumes, instance metadata) and is not run here.
 */
class ImagePublisherTest {

    @TempDir
    static Path dir;

    private static S3TestServer server;
    private static Path key;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        server = S3TestServer.start(dir.resolve("s3"));
        server.createBucket("images");
        key = dir.resolve("id_ed25519");
        Cli.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "release@example.com", "-f", key.toString()),
                null, dir.resolve("keygen.out"));
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    private static Options s3() {
        return Options.empty().with("s3.endpoint", server.endpoint().toString()).with("s3.upload.part-size", "5m");
    }

    private static byte[] downloadAndDecode(String key, String decoder) throws IOException, InterruptedException {
        Path object = dir.resolve(key.replace('/', '_'));
        server.aws("s3", "cp", "s3://images/" + key, object.toString());
        Path out = dir.resolve(key.replace('/', '_') + ".out");
        Cli.run(List.of(decoder, "-d", "-c"), object, out);
        return Files.readAllBytes(out);
    }

    @Test
    void publishesSignedIndexedImagesTheStockClisReadBack() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = new byte[17 << 20];
        System.arraycopy(TestImages.random(random, 12 << 20), 0, image, 0, 12 << 20);
        System.arraycopy(TestImages.diskLike(random, 5 << 20), 0, image, 12 << 20, 5 << 20);
        Path file = Files.write(dir.resolve("os.img"), image);
        var registry = ProviderRegistry.load();
        SshPrivateKey signer = SshPrivateKey.read(key);
        var trusted = AllowedSigners.parse("release@example.com " + signer.publicKey().openSshLine() + "\n",
                "allowed_signers", ZoneId.of("UTC"));
        for (var codec : List.of("lz4", "zstd")) {
            URI location = URI.create("s3://images/os.img." + codec);
            var published = new ImagePublisher(registry).publish(file, location, registry.codec(codec),
                    WriterSettings.defaults().withChunkSize(1 << 20), ManifestSigner.of(signer), s3(), ChunkProgress.NONE);
            assertThat(published.image().manifest().imageLength()).isEqualTo(image.length);
            assertThat(published.image().manifest().chunkCount()).isEqualTo(17);
            assertThat(downloadAndDecode("os.img." + codec, codec)).as(codec + ", " + Seeds.describe(seed))
                    .isEqualTo(image);
            try (PinnedImage object = registry.source(location, s3()).open(location, s3())) {
                assertThat(object.info().version()).isEqualTo(published.version());
                IndexedImage index = IndexedImage.require(object, RetryPolicy.DEFAULT);
                assertThat(index.digest()).isEqualTo(published.image().digest());
                TrustDecision trust = TrustPolicy.none().withTrustedKeys(trusted).decide(index.manifest(),
                        index.signatures());
                assertThat(trust.kind()).isEqualTo(TrustDecision.Kind.SIGNATURE);
            }
        }
    }

    @Test
    void aMissingImageLeavesNoObjectBehind() throws IOException {
        var registry = ProviderRegistry.load();
        assertThatThrownBy(() -> new ImagePublisher(registry).publish(dir.resolve("no-such.img"),
                URI.create("s3://images/missing.lz4"), registry.codec("lz4"), WriterSettings.defaults(), null, s3(),
                ChunkProgress.NONE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no-such.img");
        assertThat(server.aws("s3", "ls", "s3://images/")).doesNotContain("missing.lz4");
    }

    @Test
    void theUploadScriptPublishesADeviceWithTheCli() throws Exception {
        Path lib = Path.of(System.getProperty("s3flash.cli.lib"));
        Path jar = Path.of(System.getProperty("s3flash.cli.jar"));
        assertThat(jar).as("the packaged CLI (build the bootloader module first)").exists();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path cli = Files.writeString(dir.resolve("s3flash"), "#!/bin/sh\nexec '" + java + "' --enable-native-access="
                + "ALL-UNNAMED,org.lz4.java,com.github.luben.zstd_jni,io.github.s3flash.sink.blockdev,io.github.s3flash.bootloader -p '" + lib + ":"
                + jar + "' -m io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main \"$@\"\n");
        cli.toFile().setExecutable(true);
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 6 << 20);
        Path device = Files.write(dir.resolve("device.img"), image);

        var script = new ProcessBuilder(System.getProperty("s3flash.upload.script"), "--device", device.toString(),
                "--sign-key", key.toString(), "--codec", "zstd", "s3://images/from-script.img.zst")
                .redirectErrorStream(true);
        script.environment().putAll(server.cliEnvironment());
        script.environment().put("AWS_ENDPOINT_URL_S3", server.endpoint().toString());
        script.environment().put("S3FLASH", cli.toString());
        Process p = script.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("created s3://images/from-script.img.zst").contains("signer:        ED25519");
        assertThat(downloadAndDecode("from-script.img.zst", "zstd")).as(Seeds.describe(seed)).isEqualTo(image);

        var usage = new ProcessBuilder(System.getProperty("s3flash.upload.script")).redirectErrorStream(true).start();
        String help = new String(usage.getInputStream().readAllBytes());
        assertThat(usage.waitFor()).isEqualTo(2);
        assertThat(help).contains("upload-ami-to-s3.sh [OPTIONS] AMI_ID s3://bucket/key");
    }
}
