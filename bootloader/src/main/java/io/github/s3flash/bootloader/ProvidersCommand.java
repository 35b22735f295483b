package io.github.s3flash.bootloader;

import io.github.s3flash.api.ProviderInfo;
import io.github.s3flash.api.ProviderRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Lists installed providers without touching the network or any disk. */
@Command(name = "providers", mixinStandardHelpOptions = true,
        description = "List every installed source, codec and sink with its module and version (no I/O).")
final class ProvidersCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        List<ProviderInfo> providers = ProviderRegistry.load().describe();
        var out = spec.commandLine().getOut();
        String format = "%-7s %-9s %-36s %-16s %s%n";
        out.printf(format, "KIND", "NAME", "MODULE", "VERSION", "HANDLES");
        for (ProviderInfo p : providers) {
            out.printf(format, p.kind(), p.name(), p.module(), p.version(), p.detail());
        }
        out.flush();
        return ExitCode.OK;
    }
}
