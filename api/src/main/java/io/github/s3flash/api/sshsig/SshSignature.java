package io.github.s3flash.api.sshsig;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * An OpenSSH signature (SSHSIG, OpenSSH's PROTOCOL.sshsig), as {@code ssh-keygen -Y sign} writes
 * it: the signer's public key, the namespace, the hash algorithm and the signature. Parsing checks
 * the structure only; {@link #verify} checks the signature over a message.
 *
 * @param key the public key that made the signature
 * @param namespace the signature's domain ({@code s3flash-image} for images)
 * @param hashAlgorithm {@code sha256} or {@code sha512}: the message is hashed with it before signing
 * @param signatureType the SSH signature algorithm ({@code ssh-ed25519}, {@code rsa-sha2-512}, ...)
 * @param blob the whole SSHSIG blob; use {@link #blob()} for a copy
 */
public record SshSignature(SshPublicKey key, String namespace, String hashAlgorithm, String signatureType,
        byte[] blob) {

    /** The namespace of s3flash image signatures: {@code ssh-keygen -Y sign -n s3flash-image}. */
    public static final String IMAGE_NAMESPACE = "s3flash-image";
    /** An armored signature larger than this is refused unread: the largest RSA signature is about 5 KiB. */
    public static final int MAX_ARMORED = 16 << 10;

    private static final String BEGIN = "-----BEGIN SSH SIGNATURE-----";
    private static final String END = "-----END SSH SIGNATURE-----";
    private static final byte[] MAGIC = "SSHSIG".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    /** ssh-keygen wraps the base64 at 70 columns; the same here, so signatures look alike. */
    private static final int WRAP = 70;

    public SshSignature {
        requireNonNull(key, "key");
        requireNonNull(namespace, "namespace");
        requireNonNull(hashAlgorithm, "hashAlgorithm");
        requireNonNull(signatureType, "signatureType");
        blob = requireNonNull(blob, "blob").clone();
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    /**
     * Parses an armored signature ({@code -----BEGIN SSH SIGNATURE-----}, base64, {@code -----END SSH
     * SIGNATURE-----}), as {@code ssh-keygen -Y sign} writes it.
     */
    public static SshSignature parseArmored(byte[] text) throws SshSignatureException {
        requireNonNull(text, "text");
        if (text.length > MAX_ARMORED) {
            throw new SshSignatureException("the signature is " + text.length + " bytes, more than the " + MAX_ARMORED
                    + " an SSH signature can need");
        }
        String s = new String(text, StandardCharsets.US_ASCII).replace("\r\n", "\n");
        if (!s.startsWith(BEGIN + "\n")) {
            throw new SshSignatureException("the signature does not start with '" + BEGIN
                    + "': give the file ssh-keygen -Y sign wrote (an armored SSH signature)");
        }
        int end = s.indexOf("\n" + END, BEGIN.length());
        if (end < 0) {
            throw new SshSignatureException("the signature has no '" + END + "' line: it is cut short");
        }
        if (!s.substring(end + 1 + END.length()).isBlank()) {
            throw new SshSignatureException("the signature has bytes after its '" + END + "' line");
        }
        String body = s.substring(BEGIN.length() + 1, end).replace("\n", "");
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new SshSignatureException("the signature's base64 is malformed: " + e.getMessage(), e);
        }
        return parse(blob);
    }

    /** Parses a binary SSHSIG blob (the base64 inside the armor). */
    public static SshSignature parse(byte[] blob) throws SshSignatureException {
        requireNonNull(blob, "blob");
        try {
            var in = new SshWire.Reader(blob);
            byte[] magic = in.bytes(MAGIC.length, "SSHSIG preamble");
            if (!Arrays.equals(magic, MAGIC)) {
                throw new SshWire.FormatException("it does not start with the SSHSIG preamble");
            }
            int version = in.uint32("SSHSIG version");
            if (version != VERSION) {
                throw new SshWire.FormatException("its version is " + Integer.toUnsignedString(version)
                        + "; s3flash reads version " + VERSION);
            }
            SshPublicKey key = SshPublicKey.fromBlob(in.string("public key", SshPublicKey.MAX_BLOB));
            String namespace = in.text("namespace", 256);
            if (namespace.isEmpty()) {
                throw new SshWire.FormatException("its namespace is empty");
            }
            in.string("reserved field", 1024);
            String hash = in.text("hash algorithm", 32);
            byte[] signature = in.string("signature", 8192);
            in.expectEnd("SSHSIG blob");
            String signatureType = new SshWire.Reader(signature).text("signature type", 64);
            return new SshSignature(key, namespace, hash, signatureType, blob);
        } catch (SshWire.FormatException e) {
            throw new SshSignatureException("the SSH signature is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that this signature, in {@code expectedNamespace}, was made by {@link #key()} over
     * exactly {@code message}. It says nothing about whether the key is trusted: that is {@link
     * AllowedSigners}'s job.
     *
     * @throws SshSignatureException naming why it does not verify
     */
    public void verify(byte[] message, String expectedNamespace) throws SshSignatureException {
        requireNonNull(message, "message");
        requireNonNull(expectedNamespace, "expectedNamespace");
        if (!namespace.equals(expectedNamespace)) {
            throw new SshSignatureException("the signature is for namespace '" + namespace + "', not '"
                    + expectedNamespace + "' (sign with ssh-keygen -Y sign -n " + expectedNamespace + ")");
        }
        if (!key.supported()) {
            throw new SshSignatureException("the signature was made by a " + key.type() + " key, which s3flash"
                    + " cannot verify (supported: " + SshAlgorithms.supportedTypes() + ")");
        }
        try {
            var in = new SshWire.Reader(blob);
            in.bytes(MAGIC.length, "preamble");
            in.uint32("version");
            in.string("public key", SshPublicKey.MAX_BLOB);
            in.string("namespace", 256);
            in.string("reserved field", 1024);
            in.string("hash algorithm", 32);
            byte[] signature = in.string("signature", 8192);
            if (!SshAlgorithms.verify(key, signature, signedData(namespace, hashAlgorithm, message))) {
                throw new SshSignatureException("the signature by " + key + " does not match: it was made over other"
                        + " bytes, or the signed bytes were changed");
            }
        } catch (SshWire.FormatException e) {
            throw new SshSignatureException("the signature by " + key + " cannot be verified: " + e.getMessage(), e);
        }
    }

    /** The armored text, exactly as {@code ssh-keygen -Y sign} would write this signature. */
    public String armored() {
        String b64 = Base64.getEncoder().encodeToString(blob);
        var text = new StringBuilder(BEGIN).append('\n');
        for (int at = 0; at < b64.length(); at += WRAP) {
            text.append(b64, at, Math.min(b64.length(), at + WRAP)).append('\n');
        }
        return text.append(END).append('\n').toString();
    }

    /** The bytes an SSHSIG signature signs: the preamble, namespace, hash algorithm and H(message). */
    static byte[] signedData(String namespace, String hashAlgorithm, byte[] message) throws SshWire.FormatException {
        String jdkName = switch (hashAlgorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new SshWire.FormatException("hash algorithm '" + hashAlgorithm
                    + "' is not one SSHSIG allows (sha256, sha512)");
        };
        try {
            byte[] hash = MessageDigest.getInstance(jdkName).digest(message);
            return new SshWire.Writer().raw(MAGIC).text(namespace).string(new byte[0]).text(hashAlgorithm)
                    .string(hash).toByteArray();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has " + jdkName, e);
        }
    }

    /** An SSHSIG blob around a signature made by the caller. */
    static SshSignature assemble(SshPublicKey key, String namespace, String hashAlgorithm, byte[] signature)
            throws SshSignatureException {
        byte[] blob = new SshWire.Writer().raw(MAGIC).uint32(VERSION).string(key.blob()).text(namespace)
                .string(new byte[0]).text(hashAlgorithm).string(signature).toByteArray();
        return parse(blob);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshSignature s && Arrays.equals(blob, s.blob);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return "SSH signature by " + key + " in namespace " + namespace;
    }
}
