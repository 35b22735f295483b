package com.example.s3flash.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.NginxServer;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's steps for optional providers, run as written: every {@code sh} block of README.md (and
 * source-gcs/README.md) that runs {@code ./s3flash plugins add}, whole, with {@code sh -e}, from the
 * top of a copy of the repository's launcher (./s3flash, release/env.sh, release/aot-train.sh, the
 * poms) beside the jars this build made, so the launcher finds its build current and runs as after
 * its first build, making its startup cache once both plugins are in. Then a {@code gs://} image
 * flashes through the installed gcs plugin, with that cache, from a stand-in for GCS (nginx on
 * 127.0.0.1 answering the two JSON-API calls a flash makes; not GCS).
 */
class ReadmePluginStepsTest {

    private static final Path HOME = Path.of(System.getProperty("s3flash.home", "../..")).toAbsolutePath().normalize();
    private static final String VERSION = System.getProperty("s3flash.version");
    private static final Pattern SH_BLOCK = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A README's sh blocks that add a plugin, in order. */
    private static List<String> pluginBlocks(String readme) throws IOException {
        List<String> blocks = new ArrayList<>();
        Matcher m = SH_BLOCK.matcher(Files.readString(HOME.resolve(readme)));
        while (m.find()) {
            if (m.group(1).contains("./s3flash plugins add")) {
                blocks.add(m.group(1));
            }
        }
        return blocks;
    }

    /** A copy of the launcher and what it reads, with links to the built jars and plugin directories. */
    private Path repository(String name) throws IOException {
        Path top = Files.createDirectories(dir.resolve(name));
        for (String file : List.of("s3flash", "release/env.sh", "release/aot-train.sh", "pom.xml", "source-s3/pom.xml")) {
            Files.createDirectories(top.resolve(file).getParent());
            Files.copy(HOME.resolve(file), top.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path lib = Files.createDirectories(top.resolve("bootloader/target/lib"));
        try (Stream<Path> jars = Files.list(HOME.resolve("bootloader/target/lib"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar);
            }
        }
        for (String built : List.of("bootloader/target/s3flash-bootloader-" + VERSION + ".jar",
                "testkit/target/s3flash-testkit-" + VERSION + ".jar", "examples/plugin/target/plugin",
                "source-gcs/target/plugin")) {
            Files.createDirectories(top.resolve(built).getParent());
            Files.createSymbolicLink(top.resolve(built), HOME.resolve(built));
        }
        // The launcher's mark of a build newer than every source: this build is.
        Files.writeString(lib.resolve(".built"), "");
        return top;
    }

    private static Run sh(Path top, String script, String... env) throws IOException, InterruptedException {
        var builder = new ProcessBuilder("sh", "-e", "-c", script).directory(top.toFile());
        builder.environment().remove("S3FLASH_PLUGINS");
        builder.environment().remove("S3FLASH_AOT");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        for (int i = 0; i < env.length; i += 2) {
            builder.environment().put(env[i], env[i + 1]);
        }
        Process p = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
        String out = slurp(p.getInputStream());
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("did not finish in 10 minutes: " + script);
        }
        return new Run(p.exitValue(), out, err.join());
    }

    private static String slurp(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes());
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Runs a stock CLI (gzip, lz4) that compresses a file beside itself. */
    private static void compress(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = slurp(p.getInputStream());
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }

    @Test
    void theReadmesPluginStepsWorkAsWritten() throws Exception {
        List<String> blocks = pluginBlocks("README.md");
        assertThat(blocks).as("README.md's plugin steps").hasSize(2);
        String gcsBlock = blocks.stream().filter(b -> b.contains("plugins add gcs")).findFirst().orElseThrow();
        String gzipBlock = blocks.stream().filter(b -> b.contains("plugins add examples/plugin/target/plugin"))
                .findFirst().orElseThrow();
        Path top = repository("repo");

        // The gzip block flashes os.img.gz, an image the reader has: here one made by the gzip CLI.
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 3_000_000);
        Files.write(top.resolve("os.img"), image);
        compress("gzip", "-k", top.resolve("os.img").toString());
        // The startup cache is made once, below, with both plugins installed.
        Run gzip = sh(top, gzipBlock, "S3FLASH_AOT", "off");
        assertThat(gzip.exit()).as(gzip + Seeds.describe(seed)).isZero();
        assertThat(gzip.out()).containsPattern("codec\\s+gzip\\s+com\\.example\\.s3flash\\.gzip\\s+" + Pattern.quote(VERSION))
                .contains("codec:         gzip");
        assertThat(Files.readAllBytes(top.resolve("disk.img"))).as(Seeds.describe(seed)).isEqualTo(image);

        Run gcs = sh(top, gcsBlock);
        assertThat(gcs.exit()).as(gcs.toString()).isZero();
        assertThat(gcs.out()).containsPattern("source\\s+gcs\\s+io\\.github\\.s3flash\\.source\\.gcs\\s+"
                + Pattern.quote(VERSION) + "\\s+schemes: gs");
        assertThat(gcs.err()).contains("making the startup cache").doesNotContain("no startup cache");
        assertThat(top.resolve("plugins/classpath/io.github.s3flash.source.gcs")).isDirectory();

        // Google's client on the class path, read by the plugin's module, through the launcher, with
        // the startup cache it made for that class path (AOTMode=on: the JVM refuses to run without it).
        byte[] gsImage = TestImages.diskLike(new Random(seed + 1), 2_500_000);
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.write(www.resolve("os.img"), gsImage);
        compress("lz4", "-q", www.resolve("os.img").toString(), www.resolve("os.img.lz4").toString());
        long length = Files.size(www.resolve("os.img.lz4"));
        Files.writeString(www.resolve("os.img.lz4.json"), "{\"kind\":\"storage#object\",\"bucket\":\"fleet-images\","
                + "\"name\":\"os.img.lz4\",\"generation\":\"7\",\"metageneration\":\"1\",\"size\":\"" + length + "\"}");
        String config = "location = /storage/v1/b/fleet-images/o/os.img.lz4 { default_type application/json; alias "
                + www.resolve("os.img.lz4.json") + "; }\n"
                + "location = /download/storage/v1/b/fleet-images/o/os.img.lz4 {"
                + " if ($arg_ifGenerationMatch != \"7\") { return 412; } add_header x-goog-generation 7;"
                + " alias " + www.resolve("os.img.lz4") + "; }\n";
        try (NginxServer gcsStandIn = NginxServer.serving(www).serverConfig(config).start(dir.resolve("nginx"))) {
            Run flash = sh(top, "./s3flash flash --source gs://fleet-images/os.img.lz4 --target gs-disk.img --create"
                    + " --sha256 " + TestImages.sha256(gsImage) + " -o gcs.endpoint=http://127.0.0.1:" + gcsStandIn.port()
                    + " -o gcs.anonymous=true -o gcs.project=s3flash-test",
                    "S3FLASH_JAVA_OPTS", "-XX:AOTMode=on");
            assertThat(flash.exit()).as(flash + Seeds.describe(seed)).isZero();
            assertThat(flash.out()).contains("version:       generation 7");
            assertThat(Files.readAllBytes(top.resolve("gs-disk.img"))).as(Seeds.describe(seed)).isEqualTo(gsImage);
            assertThat(gcsStandIn.accessLog()).anySatisfy(line -> assertThat(line)
                    .contains("/download/storage/v1/b/fleet-images/o/os.img.lz4?", "ifGenerationMatch=7"));
        }
    }

    @Test
    void theGcsReadmesStepWorksAsWritten() throws Exception {
        List<String> blocks = pluginBlocks("source-gcs/README.md");
        assertThat(blocks).as("source-gcs/README.md's install step").hasSize(1);
        Path top = repository("gcs-repo");
        // The startup cache is left out here: the test above makes it, with the gcs plugin installed.
        Run add = sh(top, blocks.getFirst(), "S3FLASH_AOT", "off");
        assertThat(add.exit()).as(add.toString()).isZero();
        Run providers = sh(top, "./s3flash providers", "S3FLASH_AOT", "off");
        assertThat(providers.exit()).as(providers.toString()).isZero();
        assertThat(providers.out()).containsPattern("source\\s+gcs\\s+io\\.github\\.s3flash\\.source\\.gcs\\s+");
    }
}
