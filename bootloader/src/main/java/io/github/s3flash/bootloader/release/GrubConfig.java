package io.github.s3flash.bootloader.release;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes {@code grub/grub.cfg} from the release's {@code grub/grub.cfg.in}: the template's single
 * {@value #PLACEHOLDER} becomes {@code root=... source=... [s3flash.*=...]}. Re-running replaces the
 * previous values, because the template is never changed. Atomic: grub.cfg is either the old or the
 * new file; a refusal leaves it untouched.
 *
 * <p>Either way it first checks that the files GRUB will boot are whole ({@link #checkWhole}). For a
 * release installed in the /boot GRUB reads, {@link #configure} first checks that the backup
 * of the old boot is where the restore will look, and records what the restore needs ({@link
 * BackupCheck}); {@link #configureWithoutBackupCheck} is for a release that is not installed (a build
 * host, a test).
 */
public final class GrubConfig {

    /** Marks where the kernel arguments go in grub.cfg.in. */
    public static final String PLACEHOLDER = "@S3FLASH_ARGS@";

    /** The release's list of the files GRUB boots and their sizes, "{@code <bytes> <file>}" a line (build.sh writes it). */
    public static final String SIZES = "release.sizes";

    /** The files GRUB boots, which {@value #SIZES} lists. */
    private static final List<String> BOOTED = List.of("vmlinuz", "initrd.gz");

    private GrubConfig() {}

    /**
     * Configures the release installed in {@code bootDir}, the /boot GRUB reads.
     *
     * @return the kernel arguments written
     * @throws IllegalArgumentException a refused value, template or layout
     * @throws IOException the template cannot be read or grub.cfg written
     */
    public static String configure(Path bootDir, String source, String root, List<String> options)
            throws IOException {
        String args = BootArguments.render(source, root, options);
        return write(bootDir, BackupCheck.check(bootDir, root, BootArguments.value(options, "s3flash.bootfs"))
                .map(recorded -> args + " " + recorded).orElse(args));
    }

    /** As {@link #configure}, without the backup check, for a release that is not installed. */
    public static String configureWithoutBackupCheck(Path bootDir, String source, String root, List<String> options)
            throws IOException {
        return write(bootDir, BootArguments.render(source, root, options));
    }

    /**
     * Refuses a release whose files are shorter than {@value #SIZES} says: unpacking it into a /boot
     * without room enough cuts them short, and GRUB would boot a cut-short kernel or initrd into a
     * kernel panic, with neither a flash nor a restore. Each file must be at least that long, since
     * adding an SSH key appends to initrd.gz.
     */
    static void checkWhole(Path bootDir) throws IOException {
        long freeKib = Files.getFileStore(bootDir).getUsableSpace() / 1024;
        Path sizes = bootDir.resolve(SIZES);
        if (!Files.isRegularFile(sizes)) {
            throw new IllegalArgumentException(sizes + " is missing: the release in " + bootDir + " is incomplete ("
                    + bootDir + " has " + freeKib + " KiB free); unpack it again");
        }
        var listed = new java.util.HashSet<String>();
        for (String line : Files.readAllLines(sizes, StandardCharsets.ISO_8859_1)) {
            String[] fields = line.strip().split("\\s+", 2);
            if (fields.length != 2 || !fields[0].matches("[0-9]+") || !fields[1].matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException(sizes + " is damaged: unpack the release again");
            }
            long want = Long.parseLong(fields[0]);
            listed.add(fields[1]);
            Path file = bootDir.resolve(fields[1]);
            long have = Files.isRegularFile(file) ? Files.size(file) : 0;
            if (have < want) {
                throw new IllegalArgumentException(file + " is " + have + " bytes, but the release's is " + want
                        + ": it was cut short, most likely because " + bootDir + " ran out of room while the release"
                        + " was unpacked (" + bootDir + " has " + freeKib + " KiB free): make room and unpack the"
                        + " release again");
            }
        }
        // A full file system can cut release.sizes itself short, down to nothing: it must list both.
        for (String booted : BOOTED) {
            if (!listed.contains(booted)) {
                throw new IllegalArgumentException(sizes + " does not list " + booted + ": it was cut short, most likely"
                        + " because " + bootDir + " ran out of room while the release was unpacked (" + bootDir + " has "
                        + freeKib + " KiB free): make room and unpack the release again");
            }
        }
    }

    private static String write(Path bootDir, String args) throws IOException {
        requireNonNull(bootDir, "bootDir");
        checkWhole(bootDir);
        Path template = bootDir.resolve("grub/grub.cfg.in");
        String text = Files.readString(template, StandardCharsets.UTF_8);
        int at = text.indexOf(PLACEHOLDER);
        if (at < 0 || text.indexOf(PLACEHOLDER, at + 1) >= 0) {
            throw new IllegalArgumentException(template + " must contain " + PLACEHOLDER + " exactly once");
        }
        Path cfg = bootDir.resolve("grub/grub.cfg");
        Path tmp = bootDir.resolve("grub/.grub.cfg.s3flash-tmp");
        Files.writeString(tmp, text.replace(PLACEHOLDER, args), StandardCharsets.UTF_8);
        Files.move(tmp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return args;
    }
}
