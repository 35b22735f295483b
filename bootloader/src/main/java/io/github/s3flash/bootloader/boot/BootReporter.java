package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.bootloader.report.FlashReport;
import io.github.s3flash.bootloader.report.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Sends boot mode's reports to {@code s3flash.report=<URI>}: one JSON object for every outcome
 * (flashed; restored, and why; failed and retrying; staying up), written with the publish path of
 * the source that serves the URI's scheme ({@code s3://} through S3's uploads, {@code https://}
 * with a PUT), so the report uses the same credentials and endpoint options as the image.
 *
 * <p>A report never blocks or changes the flash or the restore: each is sent on a thread of its own,
 * retried a few times, and a failure is only said on the console. Before the machine reboots or
 * powers off, {@link #awaitSent} gives the reports still in flight a short while to land.
 *
 * <p>The URI may name the machine with placeholders, filled in when a report is sent: {@code
 * @hostname@}, {@code @mac@} (the first network interface's hardware address, colons as dashes) and
 * {@code @boot_id@}. (Braces, as in {hostname}, would be GRUB metacharacters on the kernel command
 * line, which is why the placeholders are fenced with {@code @}.)
 */
final class BootReporter {

    /** A reporter for a command line without {@code s3flash.report=}: reports go nowhere. */
    static final BootReporter NONE = new BootReporter(null, null, Options.empty(), MachineIdentity.NONE, s -> {});

    /** A report that cannot be delivered gives up after this, so it never holds anything up for long. */
    static final RetryPolicy DELIVERY = new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(4),
            Duration.ofSeconds(20));

    private final String template;
    private final ProviderRegistry registry;
    private final Options options;
    private final MachineIdentity machine;
    private final Consumer<String> log;
    private final List<Thread> inFlight = new ArrayList<>();

    /**
     * @param template the report URI as given on the command line (placeholders unfilled), or null
     * @param options the provider options of the flash (endpoint, credentials, headers)
     */
    BootReporter(String template, ProviderRegistry registry, Options options, MachineIdentity machine,
            Consumer<String> log) {
        this.template = template;
        this.registry = registry;
        this.options = requireNonNull(options, "options");
        this.machine = requireNonNull(machine, "machine");
        this.log = requireNonNull(log, "log");
    }

    /** The URI reports go to, its placeholders filled in for this machine. */
    static URI location(String template, MachineIdentity machine) {
        String filled = template.replace("@hostname@", machine.hostname()).replace("@mac@", machine.mac())
                .replace("@boot_id@", machine.bootId());
        return ImageLocations.parse(filled);
    }

    /**
     * Sends one report in the background.
     *
     * @param outcome flashed, restored, retrying or staying-up
     * @param reason why it came to that (the restore's or the retry's cause); null when flashed
     * @param attempt the whole-flash attempt it concerns (1-based), 0 when no flash was attempted
     * @param flash the report of that attempt's flash, or null when none ran
     */
    synchronized void send(String outcome, String reason, int attempt, FlashReport flash) {
        if (template == null) {
            return;
        }
        var report = new JsonObject()
                .put("mode", "boot")
                .put("outcome", outcome)
                .put("reason", reason)
                .put("attempt", attempt)
                .put("time", Instant.now().toString())
                .put("machine", new JsonObject().put("hostname", machine.hostname()).put("mac", machine.mac())
                        .put("boot_id", machine.bootId()));
        String json = (flash == null ? report.putNull("flash") : report.put("flash", flash.toJsonObject())).toString();
        inFlight.removeIf(t -> !t.isAlive());
        inFlight.add(Thread.ofPlatform().name("s3flash-report").daemon().start(() -> deliver(outcome, json)));
    }

    private void deliver(String outcome, String json) {
        URI where;
        try {
            where = location(template, machine);
        } catch (IllegalArgumentException e) {
            log.accept("report not sent: s3flash.report=" + template + " is not a usable URI here: " + e.getMessage());
            return;
        }
        String shown = ImageLocations.redact(where);
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            DELIVERY.call("sending the " + outcome + " report to " + shown, () -> {
                try (PublishStream out = registry.source(where, options).publish(where, options)) {
                    out.write(body);
                    return out.commit();
                }
            }, RetryPolicy.Listener.NONE);
            log.accept("report (" + outcome + ") sent to " + shown);
        } catch (IOException | RuntimeException e) {
            log.accept("report (" + outcome + ") not sent to " + shown + ": " + e.getMessage()
                    + " (the flash and the restore go on without it)");
        }
    }

    /** Waits up to {@code limit} for the reports in flight to land or give up (before a reboot). */
    void awaitSent(Duration limit) {
        List<Thread> pending;
        synchronized (this) {
            pending = List.copyOf(inFlight);
        }
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread t : pending) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    log.accept("a report is still being sent after " + limit.toSeconds() + " s; not waiting for it");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
