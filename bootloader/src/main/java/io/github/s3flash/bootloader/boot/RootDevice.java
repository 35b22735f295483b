package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves {@code root=} as the kernel's users write it: a path ({@code /dev/nvme0n1}), or {@code
 * UUID=}, {@code LABEL=}, {@code PARTUUID=}, {@code PARTLABEL=}, through udev's {@code
 * /dev/disk/by-*} links.
 *
 * @param devDir where {@code /dev} is (a test tree in tests)
 */
public record RootDevice(Path devDir) {

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
            String dir = switch (kind) {
                case "UUID" -> "by-uuid";
                case "LABEL" -> "by-label";
                case "PARTUUID" -> "by-partuuid";
                case "PARTLABEL" -> "by-partlabel";
                default -> throw new IllegalArgumentException("root=" + root
                        + " is not understood: use a device path or UUID=, LABEL=, PARTUUID=, PARTLABEL=");
            };
            // udev lower-cases UUIDs in by-uuid/by-partuuid and escapes characters such as space in labels.
            String name = kind.endsWith("UUID") ? id.toLowerCase(java.util.Locale.ROOT) : udevEscape(id);
            return devDir.resolve("disk").resolve(dir).resolve(name);
        }
        if (!root.startsWith("/dev/")) {
            throw new IllegalArgumentException("root=" + root
                    + " is not understood: use a device path under /dev or UUID=, LABEL=, PARTUUID=, PARTLABEL=");
        }
        return devDir.resolve(root.substring("/dev/".length()));
    }

    /** The device itself (symbolic links followed), or null while it does not exist. */
    public Path resolve(String root) {
        Path path = path(root);
        try {
            return Files.exists(path) ? path.toRealPath() : null;
        } catch (java.io.IOException e) {
            return null;
        }
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
