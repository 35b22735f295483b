package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What the flash service remembers across its own restarts within one boot (the in-memory OS's
 * /init restarts the JVM when it dies, and keeps {@code /run} in RAM until the reboot): when the
 * service first started, so the watchdog counts from then rather than anew with each JVM, and
 * whether writing has begun, so a restarted JVM never restores the old boot over a partly written
 * disk. Kept in one small file, replaced atomically, for one flash job (the boot, the root device
 * and the source): a file of another boot or another job is ignored.
 *
 * <p>The clock is the kernel's time since boot ({@code /proc/uptime}), which a JVM restart does not
 * reset; the boot is told apart by {@code /proc/sys/kernel/random/boot_id}. Thread-safe.
 */
public final class BootState {

    private static final Path UPTIME = Path.of("/proc/uptime");
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    /** The kernel's time since boot, in seconds. */
    @FunctionalInterface
    interface Uptime {
        double seconds() throws IOException;
    }

    private final Path file;
    private final Uptime uptime;
    private final String boot;
    private final String job;
    private final double startedAt;
    private final long createdNanos = System.nanoTime();
    private volatile boolean writingStarted;

    private BootState(Path file, Uptime uptime, String boot, String job, double startedAt, boolean writingStarted) {
        this.file = file;
        this.uptime = uptime;
        this.boot = boot;
        this.job = job;
        this.startedAt = startedAt;
        this.writingStarted = writingStarted;
    }

    /**
     * Opens the state of {@code job} in {@code dir}, starting it (now) when the directory holds none for
     * this boot and job. A state file that cannot be read is taken to say that writing began: the
     * flash is then retried until it succeeds rather than risk a restore over a partly written disk.
     */
    public static BootState open(Path dir, String job) throws IOException {
        return open(dir, job, BootState::kernelUptime);
    }

    /** As {@link #open(Path, String)}, with the clock given (tests turn it by hand). */
    static BootState open(Path dir, String job, Uptime uptime) throws IOException {
        requireNonNull(job, "job");
        Files.createDirectories(dir);
        Path file = dir.resolve("state");
        String boot = Files.readString(BOOT_ID).strip();
        double now = uptime.seconds();
        var stored = new Properties();
        try {
            stored.load(new StringReader(Files.readString(file)));
        } catch (NoSuchFileException e) {
            return fresh(file, uptime, boot, job, now);
        } catch (IOException | IllegalArgumentException e) {
            return new BootState(file, uptime, boot, job, now, true);
        }
        if (!boot.equals(stored.getProperty("boot")) || !job.equals(stored.getProperty("job"))) {
            return fresh(file, uptime, boot, job, now);
        }
        try {
            double started = Double.parseDouble(stored.getProperty("started", ""));
            return new BootState(file, uptime, boot, job, started,
                    Boolean.parseBoolean(stored.getProperty("writing")));
        } catch (NumberFormatException e) {
            return new BootState(file, uptime, boot, job, now, true);
        }
    }

    /** The directory this state is kept in, or null for a state kept in memory ({@link #inMemory}). */
    public Path directory() {
        return file == null ? null : file.getParent();
    }

    /** The file in the state directory that says the old boot was put back in this boot. */
    static final String RESTORED = "restored";

    /**
     * Records in {@code dir} that the old boot was put back in this boot, and why ({@code reason}, the
     * report's): a flash service restarted after that (its JVM died before it could reboot) reboots
     * into the old OS at once instead of finding no /boot.bak and staying up, and reports the restore
     * with its reason (the first run may have died before its report was sent).
     */
    public static void markRestored(Path dir, String reason) throws IOException {
        Files.createDirectories(dir);
        Path temp = dir.resolve(RESTORED + ".new");
        Files.writeString(temp, Files.readString(BOOT_ID).strip() + "\n" + reason.replaceAll("\\R", " ") + "\n");
        Files.move(temp, dir.resolve(RESTORED), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Why the old boot was put back in this boot ({@link #markRestored}), or empty when it was not (a
     * mark left by another boot does not count); a mark without a reason gives an empty string.
     */
    public static Optional<String> restoredInThisBoot(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(RESTORED));
            if (lines.isEmpty() || !lines.get(0).strip().equals(Files.readString(BOOT_ID).strip())) {
                return Optional.empty();
            }
            return Optional.of(lines.size() > 1 ? lines.get(1) : "");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A state kept by this JVM alone, for when no directory can hold it: the watchdog then counts
     * from this start, and a restarted service cannot know that writing had begun.
     */
    public static BootState inMemory() {
        return new BootState(null, null, null, null, Double.NaN, false);
    }

    private static BootState fresh(Path file, Uptime uptime, String boot, String job, double now)
            throws IOException {
        var state = new BootState(file, uptime, boot, job, now, false);
        state.save(false);
        return state;
    }

    /** How long ago the flash service first started in this boot. */
    public Duration elapsed() throws IOException {
        if (file == null) {
            return Duration.ofNanos(System.nanoTime() - createdNanos);
        }
        return Duration.ofMillis(Math.max(0, Math.round((uptime.seconds() - startedAt) * 1000)));
    }

    /** Whether a run of the flash service in this boot has begun writing (or the state is unreadable). */
    public boolean writingStarted() {
        return writingStarted;
    }

    /** Records, before the first byte is written, that writing has begun. */
    public synchronized void markWritingStarted() throws IOException {
        if (!writingStarted) {
            save(true);
            writingStarted = true;
        }
    }

    private void save(boolean writing) throws IOException {
        if (file == null) {
            return;
        }
        String text = "boot=" + escape(boot) + "\njob=" + escape(job) + "\nstarted=" + startedAt + "\nwriting="
                + writing + "\n";
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temp, text);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** As {@link Properties#load} reads it back (a URI or device path needs no more than this). */
    private static String escape(String value) {
        return value.replace("\\", "\\\\");
    }

    private static double kernelUptime() throws IOException {
        String first = Files.readString(UPTIME).strip().split("\\s+")[0];
        return Double.parseDouble(first);
    }
}
