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
 */
public final class GrubConfig {

    /** Marks where the kernel arguments go in grub.cfg.in. */
    public static final String PLACEHOLDER = "@S3FLASH_ARGS@";

    private GrubConfig() {}

    /**
     * Configures the release unpacked in {@code bootDir}.
     *
     * @throws IllegalArgumentException a refused value or template
     * @throws IOException the template cannot be read or grub.cfg written
     */
    public static Path configure(Path bootDir, String source, String root, List<String> options) throws IOException {
        requireNonNull(bootDir, "bootDir");
        String args = BootArguments.render(source, root, options);
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
        return cfg;
    }
}
