package io.github.s3flash.bootloader;

import io.github.s3flash.api.ImageLocations;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Options the {@code s3flash image} commands share, as picocli mixins. */
final class ImageOptions {

    private ImageOptions() {}

    /** The indexed image a command reads, from any source: its one parameter. */
    static final class Image {
        @Parameters(index = "0", paramLabel = "URI", description = "The image: s3://, https://, gs://, file: or a path.")
        String uri;

        URI location() {
            return ImageLocations.parse(uri);
        }
    }

    /** {@code --threads}: how many chunks are compressed or decoded at once. */
    static final class Threads {
        @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
                description = "Threads that compress or decode chunks. Default: one per processor.")
        int value;

        /** The threads to use: the number given, or one per processor for 0. */
        int count() {
            if (value < 0) {
                throw new IllegalArgumentException("--threads must be 0 (one per processor) or more, not " + value);
            }
            return value > 0 ? value : Runtime.getRuntime().availableProcessors();
        }
    }

    /** {@code -o KEY=VALUE}: source, codec and pipeline options. */
    static final class Providers {
        @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
                description = "Provider or pipeline option, repeatable (e.g. s3.endpoint=URL, read.concurrency=8).")
        Map<String, String> values = new LinkedHashMap<>();
    }

    /** {@code --progress} and {@code --progress-interval}, as the flash has them. */
    static final class Progress {
        @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
                description = "auto (a bar on a terminal, else log lines), bar, log or none. Default: ${DEFAULT-VALUE}.")
        ProgressPrinter.Mode mode;

        @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "5",
                description = "Seconds between log lines when not on a terminal. Default: ${DEFAULT-VALUE}.")
        long interval;

        Duration interval() {
            return Duration.ofSeconds(Math.max(1, interval));
        }
    }

    /** What signatures are checked against: trusted keys, a principal, a detached signature. */
    static final class Signatures {
        @Option(names = "--trusted-keys", paramLabel = "FILE",
                description = "An OpenSSH allowed_signers file to check the signer against.")
        Path trustedKeys;

        @Option(names = "--principal", paramLabel = "NAME",
                description = "The principal the signer must be allowed as (default: any the file lists for the key).")
        String principal;

        @Option(names = "--signature", paramLabel = "FILE|URI",
                description = "A detached signature to check (default: <image>.sshsig when it exists).")
        String signature;
    }
}
