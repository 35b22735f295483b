package io.github.s3flash.bootloader.release;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks an authorized_keys file before it goes into the initrd: only SSH public key lines
 * ({@code type base64 [comment]}), blank lines and {@code #} comments; no key options, no control
 * characters, no private keys. The same rules as {@code add_ssh_key.sh}.
 */
public final class SshKeys {

    /** The largest authorized_keys file accepted. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Pattern KEY = Pattern.compile(
            "(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521"
            + "|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com)"
            + " [A-Za-z0-9+/]+={0,3}( [\\x20-\\x7e]*)?");

    private SshKeys() {}

    /**
     * Returns the file unchanged if every line is acceptable and it holds at least one key.
     *
     * @throws IllegalArgumentException naming the first bad line
     */
    public static byte[] check(byte[] file) {
        requireNonNull(file, "file");
        if (file.length > MAX_BYTES) {
            throw new IllegalArgumentException("the authorized_keys file is larger than " + MAX_BYTES + " bytes");
        }
        if (file.length == 0 || file[file.length - 1] != '\n') {
            throw new IllegalArgumentException("the authorized_keys file must end with a newline");
        }
        for (byte b : file) {
            if (b != '\n' && (b < 0x20 || b > 0x7e)) {
                throw new IllegalArgumentException(
                        "the authorized_keys file holds a control or non-ASCII byte (0x"
                        + Integer.toHexString(b & 0xff) + "): only SSH public key lines are accepted");
            }
        }
        String[] lines = new String(file, StandardCharsets.US_ASCII).split("\n", -1);
        int keys = 0;
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (!KEY.matcher(line).matches()) {
                throw new IllegalArgumentException("line " + (i + 1) + " of the authorized_keys file is not an SSH "
                        + "public key (expected 'ssh-ed25519 AAAA... comment'; key options are not accepted)");
            }
            keys++;
        }
        if (keys == 0) {
            throw new IllegalArgumentException("the authorized_keys file holds no SSH public key");
        }
        return file;
    }
}
