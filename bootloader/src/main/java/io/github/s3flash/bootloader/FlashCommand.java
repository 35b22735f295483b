package io.github.s3flash.bootloader;

import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.VerificationFailedException;
import io.github.s3flash.api.sshsig.AllowedSigners;
import io.github.s3flash.bootloader.report.FlashReport;
import io.github.s3flash.bootloader.report.FlashReportRecorder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3flash flash}: one image onto one target, with progress and a final report. */
@Command(name = "flash", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stream an image from a source onto a target device or file, verify it and force it to disk.",
            "Everything that can be checked (source, codec, target, size) is checked before the first write."},
        footer = {"", "Examples:",
            "  s3flash flash --source s3://bucket/os.img.lz4 --target /dev/nvme0n1",
            "  s3flash flash --source ./os.img.zst --target ./disk.img --create",
            "  s3flash flash --source s3://bucket/os.img.s3i --target /dev/sda --trusted-keys allowed_signers --delta",
            "", ExitCode.HELP})
final class FlashCommand implements Callable<Integer> {

    /** Library messages name options and plan fields; on this command line some have flags of their own. */
    private static final Map<String, String> FLAGS = Map.of(
            "option create=true", "--create",
            "option force=true", "--force",
            "option verify=true", "--verify",
            "option skip-identical=true", "--skip-identical",
            "give the codec by name", "give --codec NAME",
            "codec=raw", "--codec raw");

    @Spec
    private CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "URI|PATH",
            description = "Image location: s3://bucket/key, https://..., file:/path or a local path.")
    private String source;

    @Option(names = "--target", required = true, paramLabel = "PATH",
            description = "Block device or regular file to write.")
    private Path target;

    @Option(names = "--codec", paramLabel = "NAME",
            description = "Codec (lz4, zstd, raw, ...). Default: detected from the image's first bytes.")
    private String codec;

    @Option(names = "--sha256", paramLabel = "HEX",
            description = "Expected SHA-256 of the decoded image; a mismatch is a verification failure (exit 5).")
    private String sha256;

    @Option(names = "--trusted-keys", paramLabel = "FILE",
            description = "An OpenSSH allowed_signers file: the image must be an indexed image signed by one of its"
                    + " keys (or pinned with --image-digest), else it is refused before the first write (exit 3).")
    private Path trustedKeys;

    @Option(names = "--image-digest", paramLabel = "HEX",
            description = "The image digest (SHA-256 of an indexed image's manifest, as s3flash image inspect"
                    + " prints it) the image must have; checked before the first write (exit 3 when it differs).")
    private String imageDigest;

    @Option(names = "--delta",
            description = "Indexed images: read each chunk from the target first and fetch and write only the"
                    + " chunks it does not already hold.")
    private boolean delta;

    @Option(names = "--create",
            description = "Create (or truncate) a regular-file target. Never creates anything under /dev.")
    private boolean create;

    @Option(names = "--verify",
            description = "After writing, read the image back from the target with direct I/O and compare (exit 5 on a mismatch).")
    private boolean verify;

    @Option(names = "--zero", paramLabel = "MODE",
            description = "How all-zero chunks are written: write (default), zeroout (BLKZEROOUT / fallocate), "
                    + "skip-if-zero (read first, write only where not already zero), punch (holes in a file).")
    private String zero;

    @Option(names = "--skip-identical",
            description = "Read each chunk of the target first and write only the chunks that differ.")
    private boolean skipIdentical;

    @Option(names = "--force",
            description = "Write a device even if it is mounted, swap, or held by device-mapper/md. Dangerous.")
    private boolean force;

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = "Provider or pipeline option, repeatable (e.g. read.concurrency=8, chunk-size=4m, s3.endpoint=URL).")
    private Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, else log lines), bar, log or none. Default: ${DEFAULT-VALUE}.")
    private ProgressPrinter.Mode progress;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Seconds between log lines when not on a terminal. Default: ${DEFAULT-VALUE}.")
    private long progressInterval;

    enum ReportFormat { text, json }

    @Option(names = "--report", paramLabel = "FORMAT", defaultValue = "text",
            description = "The final report on stdout: text (lines) or json (one JSON object on one line, printed"
                    + " for every outcome, failures included). Default: ${DEFAULT-VALUE}.")
    private ReportFormat report;

    private FlashReportRecorder recorder;
    private Throwable failure;

    @Override
    public Integer call() {
        recorder = new FlashReportRecorder();
        int exit = ExitCode.INTERNAL;
        try {
            exit = flash();
            return exit;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            if (report == ReportFormat.json) {
                spec.commandLine().getOut().println(recorder.report(FlashReport.outcomeOf(exit), exit, failure,
                        parsedSource(), target, sha256).toJson());
                spec.commandLine().getOut().flush();
            }
        }
    }

    private URI parsedSource() {
        try {
            return source == null ? null : ImageLocations.parse(source);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Runs the flash and returns the exit code; remembers why it failed for the report. */
    private int flash() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FlashPlan plan;
        try {
            Options opts = Options.of(options);
            if (create) {
                opts = opts.with("create", "true");
            }
            if (verify) {
                opts = opts.with("verify", "true");
            }
            if (zero != null) {
                opts = opts.with("zero", zero);
            }
            if (skipIdentical) {
                opts = opts.with("skip-identical", "true");
            }
            if (force) {
                opts = opts.with("force", "true");
            }
            if (delta) {
                opts = opts.with("delta", "true");
            }
            plan = new FlashPlan(ImageLocations.parse(source), target, codec, sha256, opts,
                    trustedKeys == null ? null : AllowedSigners.read(trustedKeys), imageDigest);
            io.github.s3flash.api.PipelineSettings.from(opts);
        } catch (IllegalArgumentException | InvalidOptionException e) {
            failure = e;
            err.println("s3flash flash: " + e.getMessage());
            return ExitCode.USAGE;
        } catch (IOException e) {
            failure = e;
            err.println("s3flash flash: --trusted-keys " + trustedKeys + ": " + e.getMessage());
            return ExitCode.USAGE;
        }
        var printer = new ProgressPrinter(err, progress, Duration.ofSeconds(Math.max(1, progressInterval)));
        try {
            FlashResult result = recorded(() -> Flasher.withInstalledProviders().flash(plan, event -> {
                printer.onEvent(event);
                recorder.onEvent(event);
            }));
            printer.finish();
            for (String warning : result.warnings()) {
                err.println("s3flash: warning: " + forCommandLine(warning));
            }
            if (report == ReportFormat.text) {
                Report.print(out, result);
            }
            return ExitCode.OK;
        } catch (VerificationFailedException e) {
            printer.finish();
            err.println("s3flash: verification failed: " + forCommandLine(e.getMessage()));
            return ExitCode.VERIFICATION_FAILED;
        } catch (FlashAbortedException e) {
            printer.finish();
            err.println("s3flash: " + forCommandLine(e.getMessage()));
            return ExitCode.FAILED_AFTER_WRITE;
        } catch (InvalidOptionException e) {
            // A bad option value is bad usage whichever provider reads it.
            printer.finish();
            err.println("s3flash flash: " + e.getMessage());
            return ExitCode.USAGE;
        } catch (FlashException e) {
            // Includes a first write the target refused (WriteRefusedException): nothing was written.
            printer.finish();
            err.println("s3flash: refused, nothing was written: " + forCommandLine(e.getMessage()));
            return ExitCode.REFUSED;
        } catch (IOException e) {
            printer.finish();
            err.println("s3flash: refused, nothing was written: I/O error: " + e);
            return ExitCode.REFUSED;
        } catch (IllegalArgumentException e) {
            printer.finish();
            err.println("s3flash flash: " + forCommandLine(e.getMessage()));
            return ExitCode.USAGE;
        }
    }

    static String forCommandLine(String message) {
        String shown = message;
        for (var flag : FLAGS.entrySet()) {
            shown = shown.replace(flag.getKey(), flag.getValue());
        }
        return shown;
    }

    private interface Flash {
        FlashResult run() throws IOException;
    }

    private FlashResult recorded(Flash flash) throws IOException {
        try {
            return flash.run();
        } catch (IOException | RuntimeException e) {
            failure = e;
            throw e;
        }
    }

    static String describe(Duration d) {
        return String.format("%.1f s", d.toNanos() / 1e9);
    }
}
