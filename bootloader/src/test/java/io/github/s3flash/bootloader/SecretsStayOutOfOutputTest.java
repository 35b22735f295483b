package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.bootloader.boot.Ext4RootFixture;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.S3TestServer;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials given to a flash — a password in a URL, the signature of a presigned URL, a token in
 * a request header — never reach its output: not stdout, not stderr, not the message of any
 * exception in a cause chain, not a progress event as printed. Flashes that succeed and flashes
 * that fail in every way a location can, through every source of the CLI (file, http, s3), through
 * {@code s3flash boot}, and through the library, against a real nginx and a real S3 server.
 */
class SecretsStayOutOfOutputTest {

    private static final Random RANDOM = new Random();
    private static final String PASSWORD = secret("pw");
    private static final String SIGNATURE = secret("sig");
    private static final String TOKEN = secret("tok");
    private static final List<String> SECRETS = List.of(PASSWORD, SIGNATURE, TOKEN, S3TestServer.SECRET_ACCESS_KEY);

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    static NginxServer nginx;
    static S3TestServer s3;
    static byte[] image;

    private static String secret(String kind) {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return kind + HexFormat.of().formatHex(bytes);
    }

    @BeforeAll
    static void startServers() throws IOException {
        Path www = Files.createDirectories(shared.resolve("www/private"));
        image = TestImages.diskLike(new Random(1), 1 << 20);
        Files.write(www.resolve("image.img"), image);
        Files.write(Files.createDirectories(shared.resolve("www/keyed")).resolve("image.img"), image);
        nginx = NginxServer.serving(shared.resolve("www"))
                .serverConfig("location /private/ { if ($http_authorization != \"Bearer " + TOKEN + "\") { return 401; } }")
                .serverConfig("location /keyed/ { if ($http_x_api_key != \"" + TOKEN + "\") { return 401; } }")
                .serverConfig("location = /moved.img { return 302 /private/image.img?X-Amz-Signature=" + SIGNATURE + "; }")
                .serverConfig("location = /bad-redirect.img { return 302 \"/has space?X-Amz-Signature=" + SIGNATURE + "\"; }")
                .start(shared.resolve("nginx"));
        s3 = S3TestServer.start(shared.resolve("s3"));
        s3.createBucket("images");
        Path upload = Files.write(shared.resolve("upload.img"), image);
        s3.aws("s3", "cp", upload.toString(), "s3://images/disk.img");
    }

    @AfterAll
    static void stopServers() throws IOException {
        try (var a = nginx; var b = s3) {
            // closes both
        }
    }

    private static String http(String path) {
        return "http://127.0.0.1:" + nginx.port() + path;
    }

    private static Map<String, String> awsEnvironment() {
        return Map.of("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY",
                S3TestServer.SECRET_ACCESS_KEY, "AWS_REGION", S3TestServer.REGION, "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_CONFIG_FILE", "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    }

    private CliProcess.Result flash(String source, String... more) throws IOException {
        var args = new ArrayList<>(List.of("flash", "--source", source, "--target", dir.resolve("disk.img").toString(),
                "--create", "--codec", "raw", "--progress", "log", "-o", "s3.endpoint=" + s3.endpoint()));
        args.addAll(List.of(more));
        return CliProcess.modulePathWithEnv(awsEnvironment(), args.toArray(String[]::new));
    }

    private static void assertNoSecret(String what, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as(what).doesNotContain(secret);
        }
    }

    private static void assertNoSecret(CliProcess.Result r) {
        assertNoSecret("stdout and stderr of " + r, r.out() + r.err());
    }

    @Test
    void theCliShowsNoSecretWhetherAFlashSucceedsOrFails() throws IOException {
        String header = "http.header.Authorization=Bearer " + TOKEN;
        String signed = "?X-Amz-Signature=" + SIGNATURE;

        var good = flash(http("/private/image.img" + signed), "-o", header);
        assertThat(good.exit()).as(good.toString()).isZero();
        assertThat(good.out()).contains("flashed " + http("/private/image.img?…"));
        assertThat(Files.readAllBytes(dir.resolve("disk.img"))).isEqualTo(image);
        var redirected = flash(http("/moved.img" + signed), "-o", header);
        assertThat(redirected.exit()).as(redirected.toString()).isZero();
        var fromS3 = flash("s3://images/disk.img");
        assertThat(fromS3.exit()).as(fromS3.toString()).isZero();

        List<CliProcess.Result> failures = List.of(
                flash(http("/private/image.img" + signed), "-o", header + "-but-wrong"),
                flash(http("/private/missing.img" + signed), "-o", header),
                flash("http://flasher:" + PASSWORD + "@127.0.0.1:" + nginx.port() + "/private/image.img"),
                flash("https://flasher:" + PASSWORD + "@ss@127.0.0.1:" + nginx.port() + "/x.img"),
                flash(http("/bad-redirect.img" + signed), "-o", header),
                flash("s3://AKIAX:" + PASSWORD + "@images/disk.img"),
                flash("s3://images/disk.img" + signed),
                flash("s3://images/missing.img"),
                flash("file://" + dir.resolve("absent.img") + "?token=" + TOKEN),
                flash("https://flasher:" + PASSWORD + "@127.0.0.1/has space" + signed),
                flash(http("/private/image.img"), "-o", "http.header.Bad Name=" + TOKEN));
        for (var r : failures) {
            assertThat(r.exit()).as(r.toString()).isIn(ExitCode.USAGE, ExitCode.REFUSED);
            assertNoSecret(r);
        }
        for (var r : List.of(good, redirected, fromS3)) {
            assertNoSecret(r);
        }
    }

    /** The same flashes through the library: every message of every exception's cause chain, every event. */
    @Test
    void theLibraryPutsNoSecretInExceptionsOrEvents() throws IOException {
        Options header = Options.of(Map.of("http.header.Authorization", "Bearer " + TOKEN, "s3.endpoint",
                s3.endpoint().toString(), "s3.region", S3TestServer.REGION));
        String signed = "?X-Amz-Signature=" + SIGNATURE;
        List<URI> sources = List.of(
                URI.create(http("/private/image.img" + signed)),
                URI.create(http("/moved.img" + signed)),
                URI.create(http("/private/missing.img" + signed)),
                URI.create(http("/bad-redirect.img" + signed)),
                URI.create("http://flasher:" + PASSWORD + "@127.0.0.1:" + nginx.port() + "/private/image.img"),
                URI.create("https://flasher:" + PASSWORD + "@ss@127.0.0.1:" + nginx.port() + "/x.img"),
                URI.create("s3://AKIAX:" + PASSWORD + "@images/disk.img"),
                URI.create("s3://images/disk.img" + signed),
                URI.create("file://" + dir.resolve("absent.img") + "?token=" + TOKEN));
        var events = new CopyOnWriteArrayList<ProgressEvent>();
        int failed = 0;
        for (URI source : sources) {
            var plan = new FlashPlan(source, dir.resolve("lib-disk.img"), "raw", null, header.with("create", "true"));
            assertNoSecret("the plan as printed", plan.toString());
            try {
                Flasher.withInstalledProviders().flash(plan, events::add);
            } catch (IOException | RuntimeException e) {
                failed++;
                for (Throwable t = e; t != null; t = t.getCause()) {
                    assertNoSecret("a message in the cause chain of a flash of " + ImageLocations.redact(source),
                            t.getClass().getName() + ": " + t.getMessage() + " " + t);
                }
            }
        }
        assertThat(failed).isEqualTo(sources.size() - 2);
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(ProgressEvent.Finished.class));
        for (ProgressEvent event : events) {
            assertNoSecret("a progress event as printed", event.toString());
        }
    }

    /**
     * Boot mode takes only values of safe characters (no spaces, no query: see BootOptionSchema), so a
     * credential reaches it as a header without spaces; a presigned query or a "Bearer" header is
     * refused, and {@link #bootModeShowsNoSecretWhenItCannotFlashAndRestores} shows that refusal quiet.
     */
    @Test
    void bootModeShowsNoSecretWhenItFlashes() throws IOException {
        try (var loop = LoopDevice.create(dir, 4 << 20)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + loop.device()
                    + " source=" + http("/keyed/image.img")
                    + " s3flash.option.http.header.x-api-key=" + TOKEN
                    + " s3flash.codec=raw s3flash.watchdog=300 s3flash.progress=1 s3flash.after=none\n");
            var r = CliProcess.modulePath("boot", "--cmdline", cmdline.toString(), "--state-dir",
                    dir.resolve("state").toString());
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(loop.read(image.length)).isEqualTo(image);
            assertNoSecret(r);
        }
    }

    @Test
    void bootModeShowsNoSecretWhenItCannotFlashAndRestores() throws IOException {
        Path calls = dir.resolve("reboots");
        Path hook = Files.writeString(dir.resolve("reboot-hook"), "#!/bin/sh\necho reboot >> " + calls + "\n");
        hook.toFile().setExecutable(true);
        String keyHeader = "s3flash.option.http.header.x-api-key=" + TOKEN;
        String bearerHeader = "\"s3flash.option.http.header.Authorization=Bearer " + TOKEN + "\"";
        // A usable command line whose flash fails (the image is missing: a permanent failure), and lines
        // the schema refuses for a password, a presigned query or a header with a space in them.
        for (List<String> line : List.of(
                List.of("source=" + http("/keyed/missing.img"), keyHeader),
                List.of("source=http://flasher:" + PASSWORD + "@127.0.0.1:" + nginx.port() + "/private/image.img",
                        keyHeader),
                List.of("source=" + http("/private/missing.img?X-Amz-Signature=" + SIGNATURE), keyHeader),
                List.of("source=" + http("/keyed/image.img"), bearerHeader))) {
            String name = "line-" + Math.abs(line.hashCode());
            String source = line.getFirst().substring("source=".length());
            try (var root = Ext4RootFixture.create(Files.createDirectories(dir.resolve(name)), source)) {
                Path cmdline = Files.writeString(dir.resolve("cmdline"), "root=" + root.device() + " "
                        + String.join(" ", line) + " s3flash.watchdog=3\n");
                var r = CliProcess.modulePath("boot", "--cmdline", cmdline.toString(), "--reboot-command",
                        hook.toString(), "--state-dir", dir.resolve("state-" + name).toString());
                assertThat(r.exit()).as(r.toString()).isEqualTo(BootCommand.RESTORED);
                assertNoSecret(r);
            }
        }
    }
}
