package io.github.s3flash.bootloader.release;

import picocli.CommandLine.Command;

/** {@code s3flash grub}: configure the release's grub.cfg (build hosts; configure_bootloader.sh on the server). */
@Command(name = "grub", mixinStandardHelpOptions = true,
        description = "Configure the bootloader release's grub.cfg.",
        subcommands = GrubConfigureCommand.class,
        footer = {"", "Exit codes: 0 done, 2 bad usage, 3 refused (bad input; no file was changed)."})
public final class GrubCommand {}
