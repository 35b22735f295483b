package io.github.s3flash.api.sshsig;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * An unencrypted OpenSSH private key ({@code openssh-key-v1}, what {@code ssh-keygen -N ''} writes):
 * Ed25519, ECDSA (P-256, P-384, P-521) or RSA. It signs like {@code ssh-keygen -Y sign}: SHA-512 of
 * the message, and for RSA the {@code rsa-sha2-512} algorithm, so Ed25519 signatures are byte for
 * byte those of {@code ssh-keygen}.
 *
 * <p>Encrypted keys and keys held by an agent or a security key are refused with the two-step route
 * in the message: write the bytes to sign, sign them with {@code ssh-keygen -Y sign}, hand the
 * signature back.
 *
 * <p>Thread-safe.
 */
public final class SshPrivateKey {

    private static final String BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private static final String END = "-----END OPENSSH PRIVATE KEY-----";
    private static final byte[] AUTH_MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FILE = 64 << 10;

    private final SshPublicKey publicKey;
    private final PrivateKey key;
    private final String comment;

    private SshPrivateKey(SshPublicKey publicKey, PrivateKey key, String comment) {
        this.publicKey = publicKey;
        this.key = key;
        this.comment = comment;
    }

    /** Reads a private key file (at most 64 KiB, as every OpenSSH key is). */
    public static SshPrivateKey read(Path file) throws IOException {
        requireNonNull(file, "file");
        byte[] text;
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new SshSignatureException("key file " + file + " is larger than any OpenSSH private key ("
                        + MAX_FILE + " bytes); give the private key file, e.g. ~/.ssh/id_ed25519");
            }
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SshSignatureException("key file " + file + " does not exist", e);
        }
        return parse(text, file.toString());
    }

    /** Parses the text of an OpenSSH private key file; {@code source} names it in messages. */
    public static SshPrivateKey parse(byte[] text, String source) throws SshSignatureException {
        requireNonNull(text, "text");
        requireNonNull(source, "source");
        String s = new String(text, StandardCharsets.US_ASCII).strip();
        if (s.startsWith("ssh-") || s.startsWith("ecdsa-") || s.startsWith("sk-")) {
            throw refuse(source, "is a public key; give the private key file (without .pub)");
        }
        if (s.startsWith("-----BEGIN ") && !s.startsWith(BEGIN)) {
            int close = s.indexOf("-----", 11);
            String label = close < 0 ? "unlabelled" : SshPublicKey.abbreviate(s.substring(11, close));
            throw refuse(source, "is a PEM key (" + label + "), not the OpenSSH format; convert a copy with"
                    + " ssh-keygen -p -f COPY (which rewrites it as an OpenSSH key)");
        }
        if (!s.startsWith(BEGIN) || !s.endsWith(END)) {
            throw refuse(source, "is not an OpenSSH private key (no '" + BEGIN + "' ... '" + END + "')");
        }
        byte[] body;
        try {
            body = Base64.getMimeDecoder().decode(s.substring(BEGIN.length(), s.length() - END.length()));
        } catch (IllegalArgumentException e) {
            throw refuse(source, "holds malformed base64: " + e.getMessage());
        }
        try {
            return decode(body, source);
        } catch (SshWire.FormatException e) {
            throw refuse(source, "is malformed: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw refuse(source, "holds a key the JDK cannot use: " + e.getMessage());
        }
    }

    private static SshPrivateKey decode(byte[] body, String source)
            throws SshWire.FormatException, GeneralSecurityException, SshSignatureException {
        var in = new SshWire.Reader(body);
        if (!Arrays.equals(in.bytes(AUTH_MAGIC.length, "key header"), AUTH_MAGIC)) {
            throw new SshWire.FormatException("it does not start with 'openssh-key-v1'");
        }
        String cipher = in.text("cipher name", 64);
        String kdf = in.text("KDF name", 64);
        in.string("KDF options", 1024);
        if (!"none".equals(cipher) || !"none".equals(kdf)) {
            throw refuse(source, "is encrypted with a passphrase (" + cipher + "), which s3flash does not read; "
                    + SIGN_ELSEWHERE);
        }
        int keys = in.uint32("number of keys");
        if (keys != 1) {
            throw new SshWire.FormatException("it holds " + Integer.toUnsignedString(keys) + " keys, not one");
        }
        SshPublicKey publicKey = SshPublicKey.fromBlob(in.string("public key", SshPublicKey.MAX_BLOB));
        var priv = new SshWire.Reader(in.string("private section", MAX_FILE));
        in.expectEnd("key file");
        if (priv.uint32("check value") != priv.uint32("second check value")) {
            throw new SshWire.FormatException("its two check values differ (a damaged file)");
        }
        String type = priv.text("private key type", 64);
        if (!type.equals(publicKey.type())) {
            throw new SshWire.FormatException("its private key is " + type + " but its public key " + publicKey.type());
        }
        var pub = new SshWire.Writer().text(type);
        PrivateKey key;
        if (SshAlgorithms.ED25519.equals(type)) {
            byte[] pk = priv.string("Ed25519 public key", 32);
            byte[] sk = priv.string("Ed25519 private key", 64);
            if (pk.length != 32 || sk.length != 64 || !Arrays.equals(pk, 0, 32, sk, 32, 64)) {
                throw new SshWire.FormatException("its Ed25519 key fields are inconsistent");
            }
            pub.string(pk);
            key = SshAlgorithms.ed25519PrivateKey(Arrays.copyOf(sk, 32));
        } else if (SshAlgorithms.RSA.equals(type)) {
            BigInteger n = priv.mpint("RSA modulus", SshAlgorithms.RSA_MAX_BITS);
            BigInteger e = priv.mpint("RSA exponent", SshAlgorithms.RSA_MAX_BITS);
            BigInteger d = priv.mpint("RSA private exponent", SshAlgorithms.RSA_MAX_BITS);
            BigInteger iqmp = priv.mpint("RSA iqmp", SshAlgorithms.RSA_MAX_BITS);
            BigInteger p = priv.mpint("RSA p", SshAlgorithms.RSA_MAX_BITS);
            BigInteger q = priv.mpint("RSA q", SshAlgorithms.RSA_MAX_BITS);
            pub.mpint(e).mpint(n);
            key = SshAlgorithms.rsaPrivateKey(n, e, d, iqmp, p, q);
        } else {
            SshAlgorithms.Curve curve = SshAlgorithms.Curve.ofKeyType(type);
            if (curve == null) {
                throw refuse(source, "is a " + type + " key, which s3flash cannot sign with"
                        + (type.startsWith("sk-") ? " (a security key needs its device); " : "; ") + SIGN_ELSEWHERE);
            }
            String name = priv.text("ECDSA curve name", 64);
            byte[] q = priv.string("ECDSA public point", 2 * curve.fieldBytes + 1);
            BigInteger d = priv.mpint("ECDSA private value", curve.fieldBytes * 8);
            pub.text(name).string(q);
            key = SshAlgorithms.ecPrivateKey(curve, d);
        }
        String comment = priv.text("comment", 4096);
        for (int i = 1; !priv.atEnd(); i++) {
            if (priv.uint8("padding") != i) {
                throw new SshWire.FormatException("its padding is not 1, 2, 3, ... (a damaged file)");
            }
        }
        if (!Arrays.equals(pub.toByteArray(), publicKey.blob())) {
            throw new SshWire.FormatException("its private key does not belong to its public key");
        }
        var loaded = new SshPrivateKey(publicKey, key, comment);
        loaded.checkPair(source);
        return loaded;
    }

    /** A signature that does not verify means the private half is not the public one's. */
    private void checkPair(String source) throws SshSignatureException {
        byte[] probe = "s3flash key check".getBytes(StandardCharsets.US_ASCII);
        try {
            sign(probe, "s3flash-key-check").verify(probe, "s3flash-key-check");
        } catch (SshSignatureException e) {
            throw refuse(source, "holds a private key that does not belong to its public key: " + e.getMessage());
        }
    }

    public SshPublicKey publicKey() {
        return publicKey;
    }

    /** The key's comment (often user@host), possibly empty. */
    public String comment() {
        return comment;
    }

    /** Signs {@code message} in {@code namespace}, as {@code ssh-keygen -Y sign -n NAMESPACE} does. */
    public SshSignature sign(byte[] message, String namespace) throws SshSignatureException {
        requireNonNull(message, "message");
        requireNonNull(namespace, "namespace");
        if (namespace.isEmpty()) {
            throw new IllegalArgumentException("namespace must not be empty");
        }
        try {
            byte[] signature = SshAlgorithms.sign(publicKey.type(), key,
                    SshSignature.signedData(namespace, "sha512", message));
            return SshSignature.assemble(publicKey, namespace, "sha512", signature);
        } catch (GeneralSecurityException | SshWire.FormatException e) {
            throw new SshSignatureException("signing with " + publicKey + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * How to sign with a key s3flash cannot use itself, in the library's terms; the end of the message
     * of every such refusal, so that a command line can replace it with its own steps.
     */
    public static final String SIGN_ELSEWHERE = "sign the image's manifest with ssh-keygen instead (ssh-keygen -Y sign"
            + " -n " + SshSignature.IMAGE_NAMESPACE + " -f KEY over the manifest's bytes; it asks for the passphrase, or"
            + " uses the agent with -f KEY.pub) and attach that signature to the image";

    private static SshSignatureException refuse(String source, String problem) {
        return new SshSignatureException("key file " + source + " " + problem);
    }

    @Override
    public String toString() {
        return "private key " + publicKey + (comment.isEmpty() ? "" : " " + comment);
    }
}
