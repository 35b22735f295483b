package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Where the old boot is and how to recognise the grub.cfg that booted this system.
 *
 * @param root the disk (or partition) that holds /boot.bak, as {@code root=} names it
 * @param bootFs the file system GRUB reads /boot from when /boot is a partition of its own ({@code
 *     s3flash.bootfs=}), or null when /boot is a directory of the file system that holds /boot.bak
 * @param grubArguments kernel arguments ({@code root=...}, {@code source=...}) that the grub.cfg which
 *     booted this system holds: the restore replaces only a grub.cfg that holds them, so that it never
 *     reports a restore GRUB would not see
 */
public record RestoreTarget(String root, String bootFs, List<String> grubArguments) {

    public RestoreTarget {
        requireNonNull(root, "root");
        grubArguments = List.copyOf(grubArguments);
    }
}
