package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3flash plugins add}, run as a process on the CLI's module path, with the real GCS plugin
 * directory the build makes (source-gcs/target/plugin: one module jar, Google's jars for the class
 * path) and jars of the CLI's own module path. Every refusal leaves the plugins directory as it was.
 */
class PluginsCommandTest {

    private static final Path HOME = Path.of(System.getProperty("s3flash.home", "..")).toAbsolutePath().normalize();
    private static final Path GCS = HOME.resolve("source-gcs/target/plugin");
    private static final String GCS_MODULE = "io.github.s3flash.source.gcs";

    @TempDir
    Path dir;

    private static CliProcess.Result add(Map<String, String> env, String... args) throws IOException {
        var command = new java.util.ArrayList<>(List.of("plugins", "add"));
        command.addAll(List.of(args));
        return CliProcess.modulePathWithEnv(env, command.toArray(String[]::new));
    }

    private static CliProcess.Result add(String... args) throws IOException {
        return add(Map.of(), args);
    }

    /** Every file under {@code root} with its SHA-256: equal before and after means untouched. */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        if (!Files.exists(root)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), TestImages.sha256(Files.readAllBytes(p)));
            }
        }
        return files;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A plugin directory made of jars copied from elsewhere. */
    private Path pluginDir(String name, Path... jars) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        for (Path jar : jars) {
            Files.copy(jar, d.resolve(jar.getFileName()));
        }
        return d;
    }

    private static Path gcsJar() throws IOException {
        try (Stream<Path> files = Files.list(GCS)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar")).findFirst().orElseThrow();
        }
    }

    private static Path classPathJar(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(GCS.resolve("classpath").resolve(GCS_MODULE))) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    private static Path libJar(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(CliProcess.LIB)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    @Test
    void theGcsPluginGoesOnTheModulePathAndGooglesJarsOnTheClassPathOnce() throws IOException {
        Path plugins = dir.resolve("plugins");
        var r = add("--dir", plugins.toString(), GCS.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(names(plugins)).containsExactly("classpath", gcsJar().getFileName().toString());
        Path classPath = plugins.resolve("classpath").resolve(GCS_MODULE);
        assertThat(names(classPath)).isEqualTo(names(GCS.resolve("classpath").resolve(GCS_MODULE))).hasSizeGreaterThan(10);
        assertThat(contents(classPath)).isEqualTo(contents(GCS.resolve("classpath").resolve(GCS_MODULE)));
        assertThat(r.out()).contains("plugin " + GCS_MODULE + " (source)")
                .contains("class path:  copied " + names(classPath).size() + " jars into " + classPath + " (for module " + GCS_MODULE + ")")
                .contains("installed into " + plugins);

        var before = contents(plugins);
        var again = add("--dir", plugins.toString(), GCS.toString());
        assertThat(again.exit()).as(again.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(again.err()).contains("module " + GCS_MODULE + "@").contains("is installed already (" + plugins.resolve(gcsJar().getFileName()))
                .contains("to replace it, delete").contains(classPath.toString()).contains("nothing was copied");
        assertThat(contents(plugins)).isEqualTo(before);
    }

    @Test
    void aNameIsAnOptionalProviderBuiltInTheRepositoryTheLauncherNames() throws IOException {
        Path plugins = dir.resolve("plugins");
        var r = add(Map.of(PluginsCommand.PLUGINS_ENV, plugins + ":" + dir.resolve("other"),
                PluginsCommand.HOME_ENV, HOME.toString()), "gcs");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(names(plugins)).contains(gcsJar().getFileName().toString());
        assertThat(dir.resolve("other")).doesNotExist();

        var unknown = add(Map.of(PluginsCommand.PLUGINS_ENV, plugins.toString(), PluginsCommand.HOME_ENV, HOME.toString()),
                "azure");
        assertThat(unknown.exit()).as(unknown.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(unknown.err()).contains("'azure' is not one of the optional providers built here (gcs)");

        var noHome = add(Map.of(PluginsCommand.PLUGINS_ENV, dir.resolve("p2").toString(), PluginsCommand.HOME_ENV, ""), "gcs");
        assertThat(noHome.exit()).as(noHome.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(noHome.err()).contains("run the repository's ./s3flash launcher, or give the directory (source-gcs/target/plugin)");
        assertThat(dir.resolve("p2")).doesNotExist();
    }

    @Test
    void withoutDirOrLauncherThePluginsDirectoryIsAsked() throws IOException {
        var r = add(Map.of(PluginsCommand.PLUGINS_ENV, ""), GCS.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("Give --dir DIR");
    }

    @Test
    void aModuleTheCliHasIsNotCopiedAgain() throws IOException {
        Path from = pluginDir("from", gcsJar(), libJar("commons-io-"));
        Path plugins = dir.resolve("plugins");
        var r = add("--dir", plugins.toString(), from.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(names(plugins)).containsExactly(gcsJar().getFileName().toString());
        assertThat(r.out()).contains("module path: has org.apache.commons.io@").contains(CliProcess.LIB.toString());
    }

    @Test
    void aPluginTheCliHasIsRefused() throws IOException {
        Path from = pluginDir("from", libJar("s3flash-codec-lz4-"));
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        var r = add("--dir", plugins.toString(), from.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("module io.github.s3flash.codec.lz4@").contains("is installed already (" + CliProcess.LIB);
        assertThat(names(plugins)).isEmpty();
    }

    @Test
    void twoJarsOfOneModuleAreRefused() throws IOException {
        Path from = pluginDir("from", gcsJar());
        Files.copy(gcsJar(), from.resolve("gcs-copy.jar"));
        var r = add("--dir", dir.resolve("plugins").toString(), from.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("two jars of module " + GCS_MODULE).contains("gcs-copy.jar").contains("keep one");
        assertThat(dir.resolve("plugins")).doesNotExist();
    }

    @Test
    void jarsThatSplitAPackageAreRefusedOnTheModulePath() throws IOException {
        // Both hold javax.annotation: the reason Google's jars go on the class path.
        Path from = pluginDir("from", gcsJar(), classPathJar("jsr305-"), classPathJar("javax.annotation-api-"));
        var r = add("--dir", dir.resolve("plugins").toString(), from.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("package javax.annotation is in both").contains("jsr305").contains("javax.annotation-api")
                .contains("belongs on the class path");
        assertThat(dir.resolve("plugins")).doesNotExist();
    }

    @Test
    void aPackageOfTheCliInAPluginsJarIsRefused() throws IOException {
        // An automatic module "patch" (named after its file) with a class in the api's package.
        Path from = pluginDir("from", gcsJar());
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(from.resolve("patch-1.0.jar")))) {
            jar.putNextEntry(new java.util.jar.JarEntry("io/github/s3flash/api/Patched.class"));
            jar.write(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe});
            jar.closeEntry();
        }
        var r = add("--dir", dir.resolve("plugins").toString(), from.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("package io.github.s3flash.api is in both patch@1.0 (" + from.resolve("patch-1.0.jar")
                + ") and io.github.s3flash.api");
        assertThat(dir.resolve("plugins")).doesNotExist();
    }

    @Test
    void aDirectoryWithoutAProviderIsNotAPlugin() throws IOException {
        Path from = pluginDir("from", classPathJar("jsr305-"));
        var r = add("--dir", dir.resolve("plugins").toString(), from.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("no jar in " + from + " provides an s3flash source, codec or sink");

        var empty = add("--dir", dir.resolve("plugins").toString(), Files.createDirectories(dir.resolve("empty")).toString());
        assertThat(empty.exit()).as(empty.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(empty.err()).contains("no jars in");

        var jar = add("--dir", dir.resolve("plugins").toString(), gcsJar().toString());
        assertThat(jar.exit()).as(jar.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(jar.err()).contains("is a file: give the directory that holds the plugin's jar");
        assertThat(dir.resolve("plugins")).doesNotExist();
    }

    @Test
    void classPathFoldersNameAModuleOfThePlugin() throws IOException {
        Path from = pluginDir("from", gcsJar());
        Files.createDirectories(from.resolve("classpath/com.example.other"));
        Files.copy(classPathJar("jsr305-"), from.resolve("classpath/com.example.other/jsr305.jar"));
        var r = add("--dir", dir.resolve("plugins").toString(), from.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("com.example.other is not such a module");
        assertThat(dir.resolve("plugins")).doesNotExist();
    }

    @Test
    void classPathJarsLeftByAPluginDeletedByHandAreReplaced() throws IOException {
        Path plugins = dir.resolve("plugins");
        Path stale = Files.createDirectories(plugins.resolve("classpath").resolve(GCS_MODULE));
        Files.writeString(stale.resolve("old-google-client.jar"), "left over");
        var r = add("--dir", plugins.toString(), GCS.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(names(stale)).isEqualTo(names(GCS.resolve("classpath").resolve(GCS_MODULE)));
    }

    @Test
    void aGsUriWithoutTheGcsPluginNamesTheStepThatInstallsIt() throws IOException {
        Path target = Files.write(dir.resolve("disk.img"), new byte[8192]);
        var r = CliProcess.modulePath("flash", "--source", "gs://fleet-images/os.img.lz4", "--target", target.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("no source is installed for scheme 'gs'").contains("s3flash plugins add gcs")
                .contains("release/build.sh --with gcs");
        assertThat(Files.readAllBytes(target)).isEqualTo(new byte[8192]);
    }
}
