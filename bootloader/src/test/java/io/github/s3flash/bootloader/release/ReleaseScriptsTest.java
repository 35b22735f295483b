package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The release's shell scripts (the install tools, the build, the QEMU test, the in-memory OS's /init)
 * are shellcheck-clean, and none names the JDK or a version itself: release/env.sh is the one place.
 */
class ReleaseScriptsTest {

    private static List<Path> scripts() throws IOException {
        List<Path> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.list(ReleaseFiles.RELEASE)) {
            files.filter(p -> p.toString().endsWith(".sh")).sorted().forEach(scripts::add);
        }
        scripts.add(ReleaseFiles.RELEASE.resolve("initrd/init"));
        scripts.add(ReleaseFiles.RELEASE.resolve("initrd/udhcpc.script"));
        return scripts;
    }

    @Test
    void everyScriptIsShellcheckClean() throws IOException {
        List<String> command = new ArrayList<>(List.of("shellcheck", "--format=gcc"));
        scripts().forEach(p -> command.add(p.toString()));
        ReleaseFiles.Run r;
        try {
            r = ReleaseFiles.run(command);
        } catch (IOException e) {
            throw new AssertionError("shellcheck is needed to check the release's scripts (apt-get install"
                    + " shellcheck): " + e.getMessage(), e);
        }
        assertThat(r.exit()).as("shellcheck on %s:%n%s", command, r.out() + r.err()).isZero();
    }

    @Test
    void onlyEnvShNamesTheJdkOrAVersion() throws IOException {
        for (Path script : scripts()) {
            if (script.getFileName().toString().equals("env.sh")) {
                continue;
            }
            String text = Files.readString(script);
            assertThat(text).as(script.toString()).doesNotContain("temurin").doesNotContainPattern("0\\.1\\.0")
                    .doesNotContain("SNAPSHOT").doesNotContainPattern("s3proxy_version=[0-9]");
        }
    }
}
