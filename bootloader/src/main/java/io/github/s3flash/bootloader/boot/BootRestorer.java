package io.github.s3flash.bootloader.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Puts the original boot back: mounts the root file system (the device itself, or else each of its
 * partitions in turn), replaces {@code /boot} with {@code /boot.bak}, and unmounts — as the
 * original's watchdog did, but safe to repeat: each step is a rename, and a repeat after any
 * interruption finishes the job or finds it done.
 */
public final class BootRestorer {

    static final String BACKUP = "boot.bak";
    static final String ASIDE = "boot.s3flash-replaced";

    private final Consumer<String> log;

    public BootRestorer(Consumer<String> log) {
        this.log = log;
    }

    /** Restores {@code /boot.bak} on the file system on {@code device} or one of its partitions. */
    public void restore(Path device) throws IOException {
        List<Path> candidates = new ArrayList<>(List.of(device));
        candidates.addAll(partitions(device));
        List<String> tried = new ArrayList<>();
        for (Path candidate : candidates) {
            Path mountPoint = Files.createTempDirectory("s3flash-root");
            try {
                try {
                    run("mount", candidate.toString(), mountPoint.toString());
                } catch (IOException e) {
                    tried.add(candidate + " (does not mount)");
                    continue;
                }
                try {
                    if (restoreIn(mountPoint)) {
                        log.accept("restored /boot from /boot.bak on " + candidate);
                        return;
                    }
                    tried.add(candidate + " (no /boot.bak and no /boot)");
                } finally {
                    run("sync");
                    run("umount", mountPoint.toString());
                }
            } finally {
                Files.deleteIfExists(mountPoint);
            }
        }
        throw new IOException("cannot restore the old boot: no file system with /boot.bak on " + device + "; tried "
                + String.join(", ", tried));
    }

    /** Returns true when {@code /boot} holds the original boot afterwards (restored now, or already). */
    static boolean restoreIn(Path root) throws IOException {
        Path boot = root.resolve("boot");
        Path backup = root.resolve(BACKUP);
        Path aside = root.resolve(ASIDE);
        if (Files.isDirectory(backup)) {
            if (Files.exists(boot)) {
                deleteTree(aside);
                Files.move(boot, aside);
            }
            Files.move(backup, boot);
        } else if (!Files.isDirectory(boot)) {
            return false;
        }
        deleteTree(aside);
        return true;
    }

    private static List<Path> partitions(Path device) {
        Path sys = Path.of("/sys/class/block").resolve(device.getFileName().toString());
        if (!Files.isDirectory(sys)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(sys)) {
            return entries.filter(p -> Files.exists(p.resolve("partition")))
                    .map(p -> device.resolveSibling(p.getFileName().toString()))
                    .filter(Files::exists)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + String.join(" ", command), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + out);
        }
    }
}
