package io.github.s3flash.bootloader;

import io.github.s3flash.api.ProviderInfo;
import io.github.s3flash.api.ProviderRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Lists installed providers without touching the network or any disk. */
@Command(name = "providers", mixinStandardHelpOptions = true,
        description = {"List every installed source, codec and sink with its module and version (no I/O).",
            "A provider that fails to load is reported on standard error; with --strict it fails the command."})
final class ProvidersCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--strict",
            description = "Exit with " + ExitCode.PROVIDER_FAILED + " when a provider failed to load (for CI and release"
                    + " checks: a broken provider must not go unnoticed).")
    private boolean strict;

    @Override
    public Integer call() {
        ProviderRegistry registry = ProviderRegistry.load();
        List<ProviderInfo> providers = registry.describe();
        var out = spec.commandLine().getOut();
        String format = "%-7s %-9s %-36s %-16s %s%n";
        out.printf(format, "KIND", "NAME", "MODULE", "VERSION", "HANDLES");
        for (ProviderInfo p : providers) {
            out.printf(format, p.kind(), p.name(), p.module(), p.version(), p.detail());
        }
        out.flush();
        var err = spec.commandLine().getErr();
        for (String failure : registry.loadFailures()) {
            err.println("s3flash providers: " + (strict ? "error: " : "warning: ") + failure);
        }
        err.flush();
        return strict && !registry.loadFailures().isEmpty() ? ExitCode.PROVIDER_FAILED : ExitCode.OK;
    }
}
