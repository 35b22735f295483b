package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.TargetUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Resolves {@code root=} as the kernel's users write it: a path ({@code /dev/nvme0n1}), or {@code
 * UUID=}, {@code LABEL=}, {@code PARTUUID=}, {@code PARTLABEL=}, through udev's {@code
 * /dev/disk/by-*} links. The in-memory OS runs no udev: where those links are missing, {@code UUID=}
 * and {@code LABEL=} are looked up with {@code findfs} (busybox's reads the file systems' labels and
 * UUIDs itself).
 *
 * <p>Boot mode writes only block devices: whatever the name, it must resolve (links followed) to a
 * block device under {@code /dev}. A path such as {@code /dev/../tmp/x} is refused before anything
 * looks at it, and a regular file or directory under {@code /dev} is refused when it is found.
 *
 * @param devDir where {@code /dev} is (a test tree in tests, whose links lead to the real /dev)
 */
public record RootDevice(Path devDir) {

    private static final Path DEV = Path.of("/dev");
    private static final int TYPE_MASK = 0170000;
    private static final int BLOCK_DEVICE = 0060000;

    public RootDevice {
        requireNonNull(devDir, "devDir");
    }

    /** The path {@code root} names, whether or not it exists yet. */
    public Path path(String root) {
        requireNonNull(root, "root");
        int eq = root.indexOf('=');
        if (eq > 0) {
            String kind = root.substring(0, eq);
            String id = root.substring(eq + 1);
            if (id.isEmpty() || id.contains("/") || id.equals("..") || id.equals(".")) {
                throw new IllegalArgumentException("root=" + root + " has no usable identifier after " + kind + "=");
            }
            // udev lower-cases UUIDs in by-uuid/by-partuuid and escapes characters such as space in labels.
            String name = kind.endsWith("UUID") ? id.toLowerCase(Locale.ROOT) : udevEscape(id);
            return devDir.resolve("disk").resolve(linkDirectory(root, kind)).resolve(name);
        }
        if (!root.startsWith("/dev/")) {
            throw new IllegalArgumentException("root=" + root
                    + " is not understood: use a device path under /dev or UUID=, LABEL=, PARTUUID=, PARTLABEL=");
        }
        String rest = root.substring("/dev/".length());
        for (String segment : rest.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("root=" + root + " is not a plain path under /dev (no empty, . or"
                        + " .. components): boot mode writes only block devices under /dev");
            }
        }
        return devDir.resolve(rest);
    }

    private static String linkDirectory(String root, String kind) {
        return switch (kind) {
            case "UUID" -> "by-uuid";
            case "LABEL" -> "by-label";
            case "PARTUUID" -> "by-partuuid";
            case "PARTLABEL" -> "by-partlabel";
            default -> throw new IllegalArgumentException("root=" + root
                    + " is not understood: use a device path or UUID=, LABEL=, PARTUUID=, PARTLABEL=");
        };
    }

    /**
     * The block device {@code root} names (symbolic links followed), or null while it does not exist.
     *
     * @throws TargetUnavailableException when it exists but is not a block device under /dev (no wait
     *     will change that)
     */
    public Path resolve(String root) throws TargetUnavailableException {
        Path path = path(root);
        Path real;
        try {
            if (Files.exists(path)) {
                real = path.toRealPath();
            } else if (!Files.isDirectory(path.getParent()) && root.startsWith("UUID=")) {
                // File system UUIDs are hex: udev's links, and findfs, know them in lower case.
                real = findfs("UUID=" + root.substring("UUID=".length()).toLowerCase(Locale.ROOT));
            } else if (!Files.isDirectory(path.getParent()) && root.startsWith("LABEL=")) {
                real = findfs(root);
            } else {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        if (real == null) {
            return null;
        }
        if (!real.startsWith(DEV) || !blockDevice(real)) {
            throw new TargetUnavailableException("root=" + root + " resolves to " + real + ", which is not a block"
                    + " device under /dev: boot mode writes only block devices; fix root= in grub.cfg");
        }
        return real;
    }

    private static boolean blockDevice(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode");
            return (mode & TYPE_MASK) == BLOCK_DEVICE;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The device holding the file system {@code spec} (UUID=... or LABEL=...) names, or null. */
    private static Path findfs(String spec) throws IOException {
        Process p = new ProcessBuilder(List.of("findfs", spec)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return p.exitValue() == 0 && out.startsWith("/") ? Path.of(out).toRealPath() : null;
    }

    static String udevEscape(String label) {
        var out = new StringBuilder();
        for (char c : label.toCharArray()) {
            if (Character.isLetterOrDigit(c) || "#+-.:=@_".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append(String.format("\\x%02x", (int) c));
            }
        }
        return out.toString();
    }
}
