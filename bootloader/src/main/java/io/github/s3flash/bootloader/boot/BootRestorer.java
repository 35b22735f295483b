package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.ImageLocations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Puts the original boot back, where GRUB reads it, for the two supported layouts:
 * <ul>
 *   <li>{@code /boot} a directory of the root file system: {@code /boot.bak} beside it becomes
 *       {@code /boot} again, by renames (each step atomic; a repeat after an interruption finishes
 *       the job).
 *   <li>{@code /boot} a file system of its own ({@code s3flash.bootfs=}): GRUB reads grub.cfg from
 *       that file system, and {@code /boot.bak} is on the root file system. The boot file system is
 *       made equal to {@code /boot.bak}: each file that differs is copied beside its place and renamed
 *       over it, {@code grub/grub.cfg} last of all (the moment GRUB would boot the old OS), then the
 *       bootloader's own files are deleted. A marker on the root file system lets a repeat after an
 *       interruption finish the job.
 * </ul>
 * The file systems are found by mounting the root device, or else each of its partitions in turn.
 *
 * <p>Only a grub.cfg that holds this boot's own {@code root=} and {@code source=} arguments is ever
 * replaced: that is the grub.cfg GRUB read to boot this system, so replacing it is what GRUB will see
 * on the next boot. A restore anywhere else (a {@code /boot} that GRUB does not read) is refused and
 * never reported as done.
 */
public final class BootRestorer {

    static final String BACKUP = "boot.bak";
    static final String ASIDE = "boot.s3flash-replaced";
    static final String RESTORING = "boot.bak.s3flash-restoring";
    static final String RESTORED = "boot.bak.s3flash-restored";
    static final Path GRUB_CFG = Path.of("grub", "grub.cfg");

    private final Consumer<String> log;

    public BootRestorer(Consumer<String> log) {
        this.log = log;
    }

    /**
     * Restores the old boot.
     *
     * @param device the root device (root=): its file system, or one of its partitions', holds /boot.bak
     * @param bootFs the device of a separate /boot file system, or null when /boot is on the root file system
     * @param grubArguments the kernel arguments the grub.cfg that booted this system holds
     * @throws IOException when no restore was made (the message says where it looked and why not)
     */
    public void restore(Path device, Path bootFs, List<String> grubArguments) throws IOException {
        List<Path> candidates = new ArrayList<>(List.of(device));
        candidates.addAll(partitions(device));
        candidates.remove(bootFs);
        List<String> tried = new ArrayList<>();
        for (Path candidate : candidates) {
            Optional<String> problem = mounted(candidate, root -> bootFs == null
                    ? restoreIn(root, grubArguments) : restoreOnto(root, bootFs, grubArguments));
            if (problem == null) {
                tried.add(candidate + " (does not mount)");
            } else if (problem.isPresent()) {
                tried.add(candidate + " (" + problem.get() + ")");
            } else {
                log.accept(bootFs == null ? "restored /boot from /boot.bak on " + candidate
                        : "restored the /boot file system " + bootFs + " from /boot.bak on " + candidate);
                return;
            }
        }
        throw new IOException("cannot restore the old boot: no file system on " + device
                + " holds a /boot.bak that can be put back where GRUB reads it; tried " + String.join(", ", tried));
    }

    private interface InMount {
        Optional<String> apply(Path mountPoint) throws IOException;
    }

    /** Runs {@code action} with {@code device} mounted; null when it does not mount. */
    private static Optional<String> mounted(Path device, InMount action) throws IOException {
        Path mountPoint = Files.createTempDirectory("s3flash-mount");
        try {
            try {
                run("mount", device.toString(), mountPoint.toString());
            } catch (IOException e) {
                return null;
            }
            try {
                return action.apply(mountPoint);
            } finally {
                run("sync");
                run("umount", mountPoint.toString());
            }
        } finally {
            Files.deleteIfExists(mountPoint);
        }
    }

    /**
     * /boot on the root file system mounted at {@code root}: renames /boot.bak to /boot. Empty when
     * /boot holds the original boot afterwards (restored now, or by an interrupted earlier run), else why not.
     */
    static Optional<String> restoreIn(Path root, List<String> grubArguments) throws IOException {
        Path boot = root.resolve("boot");
        Path backup = root.resolve(BACKUP);
        Path aside = root.resolve(ASIDE);
        if (Files.isDirectory(backup, LinkOption.NOFOLLOW_LINKS)) {
            // After an interruption between the two renames, the bootloader's /boot is already aside.
            Path current = Files.exists(boot, LinkOption.NOFOLLOW_LINKS) ? boot : aside;
            if (!bootedFrom(current, grubArguments)) {
                return Optional.of(notBootedFrom("/boot", grubArguments)
                        + "; if /boot is a partition of its own, configure_bootloader.sh records it as s3flash.bootfs=");
            }
            if (current == boot) {
                deleteTree(aside);
                Files.move(boot, aside);
            }
            Files.move(backup, boot);
        } else if (!Files.isDirectory(aside, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(boot)
                || !bootedFrom(aside, grubArguments)) {
            return Optional.of("no /boot.bak");
        }
        deleteTree(aside);
        return Optional.empty();
    }

    /** A separate /boot file system on {@code bootFs}, restored from /boot.bak on the root file system at {@code root}. */
    private Optional<String> restoreOnto(Path root, Path bootFs, List<String> grubArguments) throws IOException {
        if (!Files.isDirectory(root.resolve(BACKUP), LinkOption.NOFOLLOW_LINKS)
                && !Files.exists(root.resolve(RESTORING))) {
            return Optional.of("no /boot.bak");
        }
        Optional<String> problem = mounted(bootFs, boot -> restoreOnto(root, boot, grubArguments, bootFs));
        return problem == null ? Optional.of("the /boot file system " + bootFs + " does not mount") : problem;
    }

    /**
     * Makes the boot file system mounted at {@code boot} equal to /boot.bak on the root file system
     * mounted at {@code root}. Empty when done, else why not (nothing changed then).
     */
    static Optional<String> restoreOnto(Path root, Path boot, List<String> grubArguments, Path bootFs)
            throws IOException {
        Path backup = root.resolve(BACKUP);
        Path marker = root.resolve(RESTORING);
        Path restored = root.resolve(RESTORED);
        boolean resumed = Files.exists(marker);
        if (!resumed && !bootedFrom(boot, grubArguments)) {
            return Optional.of(notBootedFrom("the /boot file system " + bootFs, grubArguments));
        }
        if (Files.isDirectory(backup, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> copies = differing(backup, boot);
            long bytes = 0;
            for (Path rel : copies) {
                bytes += Files.isRegularFile(backup.resolve(rel), LinkOption.NOFOLLOW_LINKS)
                        ? Files.size(backup.resolve(rel)) : 0;
            }
            long free = Files.getFileStore(boot).getUsableSpace();
            if (!resumed && bytes > free) {
                return Optional.of("the /boot file system " + bootFs + " has " + free + " bytes free, and the files"
                        + " of /boot.bak that differ take " + bytes + "; nothing was changed");
            }
            Files.writeString(marker, bootFs + "\n");
            force(marker);
            // Copying in the order of the walk, grub.cfg last: until GRUB reads the old grub.cfg, the
            // bootloader's own files are all still there, so an interruption boots the bootloader again.
            for (Path rel : copies) {
                if (!rel.equals(GRUB_CFG)) {
                    copy(backup.resolve(rel), boot.resolve(rel));
                }
            }
            if (copies.contains(GRUB_CFG)) {
                copy(backup.resolve(GRUB_CFG), boot.resolve(GRUB_CFG));
            }
            deleteExtra(backup, boot);
            run("sync");
            Files.move(backup, restored);
        }
        deleteTree(restored);
        Files.deleteIfExists(marker);
        return Optional.empty();
    }

    /** The entries of {@code from} (relative, parents first) whose copy in {@code to} is missing or differs. */
    private static List<Path> differing(Path from, Path to) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.skip(1).toList()) {
                Path rel = from.relativize(p);
                if (!same(p, to.resolve(rel))) {
                    out.add(rel);
                }
            }
        }
        return out;
    }

    private static boolean same(Path a, Path b) throws IOException {
        if (Files.isSymbolicLink(a)) {
            return Files.isSymbolicLink(b) && Files.readSymbolicLink(a).equals(Files.readSymbolicLink(b));
        }
        if (Files.isDirectory(a, LinkOption.NOFOLLOW_LINKS)) {
            return Files.isDirectory(b, LinkOption.NOFOLLOW_LINKS);
        }
        if (!Files.isRegularFile(a, LinkOption.NOFOLLOW_LINKS)) {
            return true; // GRUB reads only files, directories and links: anything else is left alone
        }
        return Files.isRegularFile(b, LinkOption.NOFOLLOW_LINKS) && Files.size(a) == Files.size(b)
                && Files.mismatch(a, b) == -1;
    }

    /** Puts a copy of {@code from} at {@code to}: beside it first, then renamed over it. */
    private static void copy(Path from, Path to) throws IOException {
        if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(to);
                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            }
            return;
        }
        Path temp = to.resolveSibling("." + to.getFileName() + ".s3flash-new");
        deleteTree(temp);
        Files.copy(from, temp, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
            force(temp);
        }
        if (Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(to);
        }
        Files.move(temp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes what {@code to} holds and {@code from} does not (the bootloader's files), but lost+found. */
    private static void deleteExtra(Path from, Path to) throws IOException {
        Set<Path> extra;
        try (Stream<Path> walk = Files.walk(to)) {
            extra = walk.skip(1).map(to::relativize)
                    .filter(rel -> !rel.getName(0).toString().equals("lost+found"))
                    .filter(rel -> !Files.exists(from.resolve(rel), LinkOption.NOFOLLOW_LINKS))
                    .collect(Collectors.toSet());
        }
        for (Path rel : extra.stream().sorted(Comparator.comparingInt(Path::getNameCount)).toList()) {
            deleteTree(to.resolve(rel));
        }
    }

    /** Whether {@code boot}/grub/grub.cfg holds every one of {@code grubArguments} as a word. */
    private static boolean bootedFrom(Path boot, List<String> grubArguments) throws IOException {
        Path cfg = boot.resolve(GRUB_CFG);
        if (!Files.isRegularFile(cfg)) {
            return false;
        }
        // ISO-8859-1 reads any bytes: a grub.cfg is not always UTF-8, and the arguments are ASCII.
        String text = Files.readString(cfg, StandardCharsets.ISO_8859_1);
        return new HashSet<>(Arrays.asList(text.split("\\s+"))).containsAll(grubArguments);
    }

    private static String notBootedFrom(String where, List<String> grubArguments) {
        // The arguments are shown as the console may show them: a source's user info and query redacted.
        return where + " does not hold the grub.cfg that booted this system (grub/grub.cfg with "
                + grubArguments.stream().map(a -> a.startsWith("source=") ? "source="
                        + ImageLocations.redact(a.substring("source=".length())) : a)
                        .collect(java.util.stream.Collectors.joining(" "))
                + "): GRUB does not read it, so restoring there would change nothing";
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
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
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
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
