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
 * <p>For a release installed in the /boot GRUB reads, {@link #configure} first checks that the backup
 * of the old boot is where the restore will look, and records what the restore needs ({@link
 * BackupCheck}); {@link #configureWithoutBackupCheck} is for a release that is not installed (a build
 * host, a test).
 */
public final class GrubConfig {

    /** Marks where the kernel arguments go in grub.cfg.in. */
    public static final String PLACEHOLDER = "@S3FLASH_ARGS@";

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

    private static String write(Path bootDir, String args) throws IOException {
        requireNonNull(bootDir, "bootDir");
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
