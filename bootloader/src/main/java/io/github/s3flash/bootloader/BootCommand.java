package io.github.s3flash.bootloader;

import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.bootloader.boot.BootConfig;
import io.github.s3flash.bootloader.boot.BootService;
import io.github.s3flash.bootloader.boot.KernelCommandLine;
import io.github.s3flash.bootloader.boot.RootDevice;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3flash boot}: what the in-memory OS runs on boot. */
@Command(name = "boot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Flash on boot, as the bootloader's in-memory OS does: read root= and source=",
            "from the kernel command line, wait for the disk, flash, verify, reboot. If",
            "nothing is written before the watchdog fires (s3flash.watchdog=, default",
            "1000 s), a check fails that can never pass, or the command line cannot be",
            "used, restore /boot.bak where GRUB reads /boot and reboot into the old OS.",
            "Only when no restore is possible (no usable root=, no disk, no /boot.bak)",
            "does it stay up."},
        footer = {"", "Kernel command line:",
            "  root=<path|UUID=..|LABEL=..|PARTUUID=..|PARTLABEL=..>   the disk to flash",
            "  source=<bucket/key|URI>   the image (bucket/key means S3)",
            "  s3flash.codec=  s3flash.sha256=  s3flash.watchdog=<s>  s3flash.endpoint=<url>",
            "  s3flash.verify=<bool>  s3flash.zero=<mode>  s3flash.after=reboot|poweroff|none",
            "  s3flash.progress=<s>  s3flash.bootfs=<UUID=..|/dev/..>  s3flash.digest=<hex>  s3flash.delta=<bool>",
            "  s3flash.option.<key>=<value>",
            "Every value is checked against the schema configure_bootloader.sh applies.",
            "", "Exit codes: 0 flashed, 6 old boot restored (rebooting),",
            "7 no restore possible (staying up), 2 bad usage of this command."})
final class BootCommand implements Callable<Integer> {

    static final int RESTORED = 6;
    static final int STAYING_UP = 7;

    @Spec
    private CommandSpec spec;

    @Option(names = "--cmdline", paramLabel = "FILE", defaultValue = "/proc/cmdline",
            description = "Read the kernel command line from FILE. Default: ${DEFAULT-VALUE}.")
    private Path cmdline;

    @Option(names = "--reboot-command", paramLabel = "CMD", defaultValue = "reboot -f",
            description = "How to reboot (split at spaces). Default: ${DEFAULT-VALUE}.")
    private String rebootCommand;

    @Option(names = "--poweroff-command", paramLabel = "CMD", defaultValue = "poweroff -f",
            description = "How to power off, for s3flash.after=poweroff. Default: ${DEFAULT-VALUE}.")
    private String poweroffCommand;

    @Option(names = "--dev", paramLabel = "DIR", defaultValue = "/dev", hidden = true,
            description = "Where /dev is (tests use a tree of their own). Default: ${DEFAULT-VALUE}.")
    private Path devDir;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/run/s3flash", hidden = true,
            description = "Where the flash service keeps its state across restarts in one boot (in RAM in the"
                    + " in-memory OS; tests use a directory of their own). Default: ${DEFAULT-VALUE}.")
    private Path stateDir;

    @Option(names = "--trusted-keys", paramLabel = "FILE", hidden = true,
            description = "The allowed_signers the initrd holds (tests use a file of their own). Default: ${DEFAULT-VALUE}.")
    private Path trustedKeys = BootService.TRUSTED_KEYS;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        var console = new java.util.function.Consumer<String>() {
            @Override
            public synchronized void accept(String line) {
                err.printf(Locale.ROOT, "[%8.1f] s3flash: %s%n", (System.nanoTime() - start) / 1e9, line);
                err.flush();
            }
        };
        var roots = new RootDevice(devDir);
        KernelCommandLine kernel;
        try {
            kernel = KernelCommandLine.parse(Files.readString(cmdline));
        } catch (IOException e) {
            console.accept("cannot read the kernel command line from " + cmdline + " (" + e.getMessage()
                    + "): the disk to flash and the old boot are unknown, so nothing is flashed or restored");
            return STAYING_UP;
        }
        return exitCode(BootService.boot(kernel, stateDir, trustedKeys, ProviderRegistry.load(), roots, this::power,
                console,
                interval -> new ProgressPrinter(err, ProgressPrinter.Mode.log, interval)));
    }

    private static int exitCode(BootService.Outcome outcome) {
        return switch (outcome) {
            case FLASHED -> ExitCode.OK;
            case RESTORED -> RESTORED;
            case STAYING_UP -> STAYING_UP;
        };
    }

    private void power(BootConfig.After action) throws IOException {
        String command = action == BootConfig.After.POWEROFF ? poweroffCommand : rebootCommand;
        Process p = new ProcessBuilder(List.of(command.trim().split("\\s+"))).inheritIO().start();
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("'" + command + "' failed" + (p.isAlive() ? " to finish" : " with exit code "
                        + p.exitValue()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running '" + command + "'", e);
        }
    }
}
