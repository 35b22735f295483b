package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every shell script of the repository (the launcher, the demo, the benchmarks, the release's tools and
 * its in-memory OS's /init, CI's entry point, the Maven wrapper) is shellcheck-clean, and none names the
 * JDK or a version itself: release/env.sh is the one place. Scripts are found, not listed: a file named
 * *.sh or whose first line runs sh or bash, outside build output.
 */
class ShellScriptsTest {

    private static final Path TOP = ReleaseFiles.RELEASE.getParent();
    /** Build output and VCS data anywhere; what the tools make at the top (as .gitignore has it). */
    private static final Set<String> NOT_SOURCES = Set.of("target", ".git", "node_modules");
    private static final Set<Path> MADE_BY_TOOLS = Set.of(Path.of("demo-out"), Path.of("plugins"), Path.of("bench/out"));
    private static final Pattern SHELL = Pattern.compile("^#!\\S*/(env\\s+)?(sh|bash|dash)\\b");

    private static List<Path> scripts() throws IOException {
        List<Path> scripts = new ArrayList<>();
        Files.walkFileTree(TOP, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return NOT_SOURCES.contains(dir.getFileName().toString()) || MADE_BY_TOOLS.contains(TOP.relativize(dir))
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && (file.toString().endsWith(".sh") || SHELL.matcher(firstLine(file)).find())) {
                    scripts.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return scripts.stream().sorted().toList();
    }

    private static String firstLine(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            String head = new String(in.readNBytes(200), java.nio.charset.StandardCharsets.ISO_8859_1);
            int nl = head.indexOf('\n');
            return nl < 0 ? head : head.substring(0, nl);
        }
    }

    @Test
    void theScriptsAreFoundWhereverTheyAre() throws IOException {
        assertThat(scripts()).extracting(p -> TOP.relativize(p).toString())
                .contains("s3flash", "demo.sh", "mvnw", ".ci/run", "bench/e2e-bench.sh", "release/build.sh",
                        "release/env.sh", "release/initrd/init", "release/initrd/udhcpc.script")
                .doesNotContain("bench/lib/os_like_image.py");
    }

    @Test
    void everyScriptIsShellcheckClean() throws IOException {
        List<String> command = new ArrayList<>(List.of("shellcheck", "--format=gcc"));
        scripts().forEach(p -> command.add(p.toString()));
        ReleaseFiles.Run r;
        try {
            r = ReleaseFiles.run(command);
        } catch (IOException e) {
            throw new AssertionError("shellcheck is needed to check the scripts (apt-get install shellcheck): "
                    + e.getMessage(), e);
        }
        assertThat(r.exit()).as("shellcheck on %s:%n%s", command, r.out() + r.err()).isZero();
    }

    @Test
    void onlyEnvShNamesTheJdkOrAVersion() throws IOException {
        for (Path script : scripts()) {
            String name = TOP.relativize(script).toString();
            if (name.equals("release/env.sh")) {
                continue;
            }
            String text = Files.readString(script);
            assertThat(text).as(name).doesNotContain("temurin").doesNotContainPattern("0\\.1\\.0")
                    .doesNotContain("SNAPSHOT").doesNotContainPattern("s3proxy_version=[0-9]");
        }
    }
}
