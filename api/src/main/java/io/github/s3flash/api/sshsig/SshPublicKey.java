package io.github.s3flash.api.sshsig;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * An OpenSSH public key: its type ({@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, {@code
 * ssh-rsa}, ...) and its wire-encoded blob, as in {@code id_ed25519.pub} and {@code allowed_signers}.
 * Two keys are equal when their blobs are. Keys of types s3flash cannot verify (security keys,
 * certificates) can be held and compared, but not used to verify.
 *
 * @param type the key type named inside the blob
 * @param blob the wire encoding (RFC 4253 §6.6); use {@link #blob()} for a copy
 */
public record SshPublicKey(String type, byte[] blob) {

    /** Bytes of a key blob s3flash accepts: an RSA key of the largest size fits in about 2 KiB. */
    static final int MAX_BLOB = 8 << 10;

    public SshPublicKey {
        requireNonNull(type, "type");
        blob = requireNonNull(blob, "blob").clone();
    }

    /** Parses a key blob: the type it names, checked; a supported type is also checked whole. */
    public static SshPublicKey fromBlob(byte[] blob) throws SshSignatureException {
        requireNonNull(blob, "blob");
        if (blob.length > MAX_BLOB) {
            throw new SshSignatureException("SSH public key is " + blob.length + " bytes, more than the " + MAX_BLOB
                    + " allowed");
        }
        try {
            String type = new SshWire.Reader(blob).text("key type", 64);
            if (SshAlgorithms.supported(type)) {
                SshAlgorithms.publicKey(blob);
            }
            return new SshPublicKey(type, blob);
        } catch (SshWire.FormatException e) {
            throw new SshSignatureException("SSH public key is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * Parses a key as OpenSSH writes it on one line ({@code TYPE BASE64 [COMMENT]}, as in {@code
     * id_ed25519.pub}); the type written must be the one inside the blob.
     */
    public static SshPublicKey parse(String line) throws SshSignatureException {
        requireNonNull(line, "line");
        String[] fields = line.strip().split("[ \t]+", 3);
        if (fields.length < 2) {
            throw new SshSignatureException("'" + abbreviate(line) + "' is not an OpenSSH public key"
                    + " (expected TYPE BASE64 [COMMENT], e.g. the line of id_ed25519.pub)");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(fields[1]);
        } catch (IllegalArgumentException e) {
            throw new SshSignatureException("the " + fields[0] + " key's base64 is malformed: " + e.getMessage(), e);
        }
        SshPublicKey key = fromBlob(blob);
        if (!key.type.equals(fields[0])) {
            throw new SshSignatureException("key written as " + fields[0] + " holds a " + key.type + " key");
        }
        return key;
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    /** Whether s3flash can verify this key's signatures. */
    public boolean supported() {
        return SshAlgorithms.supported(type);
    }

    /** The fingerprint as {@code ssh-keygen -l} prints it: {@code SHA256:} and unpadded base64. */
    public String fingerprint() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The short algorithm name {@code ssh-keygen} shows: ED25519, ECDSA, RSA, or the type itself. */
    public String algorithm() {
        if (type.equals(SshAlgorithms.ED25519)) {
            return "ED25519";
        }
        if (type.equals(SshAlgorithms.RSA)) {
            return "RSA";
        }
        return type.startsWith("ecdsa-sha2-") ? "ECDSA" : type;
    }

    /** {@code TYPE BASE64}, the form of {@code .pub} files and {@code allowed_signers} lines. */
    public String openSshLine() {
        return type + " " + Base64.getEncoder().encodeToString(blob);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshPublicKey k && Arrays.equals(blob, k.blob);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return algorithm() + " " + fingerprint();
    }

    static String abbreviate(String s) {
        String line = s.strip();
        return line.length() > 60 ? line.substring(0, 57) + "..." : line;
    }
}
