package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What names this machine in a report's location and body: the kernel's host name, the hardware
 * address of its first network interface (colons as dashes, so it can stand in an object key) and
 * this boot's id. Whatever cannot be read is {@code unknown}.
 */
record MachineIdentity(String hostname, String mac, String bootId) {

    static final String UNKNOWN = "unknown";
    static final MachineIdentity NONE = new MachineIdentity(UNKNOWN, UNKNOWN, UNKNOWN);

    MachineIdentity {
        requireNonNull(hostname, "hostname");
        requireNonNull(mac, "mac");
        requireNonNull(bootId, "bootId");
    }

    /** This machine's, read from {@code /proc} and {@code /sys}. */
    static MachineIdentity read() {
        return read(Path.of("/proc/sys/kernel"), Path.of("/sys/class/net"));
    }

    /** Read from a kernel directory (hostname, random/boot_id) and a network class directory. */
    static MachineIdentity read(Path kernel, Path net) {
        return new MachineIdentity(firstLine(kernel.resolve("hostname")), firstMac(net),
                firstLine(kernel.resolve("random/boot_id")));
    }

    private static String firstLine(Path file) {
        try {
            String line = Files.readString(file).strip();
            return line.isEmpty() ? UNKNOWN : line;
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** The first interface by name, loopback and all-zero addresses left out. */
    private static String firstMac(Path net) {
        List<Path> interfaces;
        try (Stream<Path> list = Files.list(net)) {
            interfaces = list.sorted().toList();
        } catch (IOException e) {
            return UNKNOWN;
        }
        for (Path dir : interfaces) {
            String address = firstLine(dir.resolve("address")).toLowerCase(Locale.ROOT);
            if (address.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}") && !address.equals("00:00:00:00:00:00")) {
                return address.replace(':', '-');
            }
        }
        return UNKNOWN;
    }
}
