package io.github.s3flash.api.sshsig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real {@code ssh-keygen} (OpenSSH), the oracle of the SSHSIG tests: keys, signatures, verdicts. */
public final class SshKeygen {

    /** What a run of ssh-keygen did. */
    public record Run(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return "exit " + exit + ", stdout: " + out.strip() + ", stderr: " + err.strip();
        }
    }

    private SshKeygen() {}

    /** Runs ssh-keygen with {@code args}, {@code stdin} (or nothing) as its input. */
    public static Run run(Path stdin, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ssh-keygen"));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        Path out = Files.createTempFile("ssh-keygen", ".out");
        Path err = Files.createTempFile("ssh-keygen", ".err");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = builder.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("ssh-keygen " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** A new unencrypted key pair at {@code dir/name} (and {@code .pub}): {@code -t TYPE [-b BITS]}. */
    public static Path generate(Path dir, String name, String type, int bits, String comment) throws IOException {
        Path key = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("-q", "-t", type, "-N", "", "-C", comment, "-f", key.toString()));
        if (bits > 0) {
            args.addAll(List.of("-b", Integer.toString(bits)));
        }
        Run r = run(null, args.toArray(String[]::new));
        if (!r.ok()) {
            throw new IOException("ssh-keygen could not make a " + type + " key: " + r);
        }
        return key;
    }

    /** {@code ssh-keygen -Y sign -n NAMESPACE -f KEY} over {@code message}: the armored signature. */
    public static byte[] sign(Path key, String namespace, Path message) throws IOException {
        Path sig = Path.of(message + ".sig");
        Files.deleteIfExists(sig);
        Run r = run(null, "-Y", "sign", "-n", namespace, "-f", key.toString(), message.toString());
        if (!r.ok()) {
            throw new IOException("ssh-keygen -Y sign failed: " + r);
        }
        return Files.readAllBytes(sig);
    }

    /** {@code ssh-keygen -Y verify}: whether OpenSSH accepts {@code signature} of {@code message}. */
    public static Run verify(Path allowedSigners, String principal, String namespace, Path signature, Path message)
            throws IOException {
        return run(message, "-Y", "verify", "-f", allowedSigners.toString(), "-I", principal, "-n", namespace, "-s",
                signature.toString());
    }

    public static String publicLine(Path key) throws IOException {
        String[] fields = Files.readString(Path.of(key + ".pub")).strip().split(" ");
        return fields[0] + " " + fields[1];
    }
}
