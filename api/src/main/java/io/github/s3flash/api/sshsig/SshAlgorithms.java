package io.github.s3flash.api.sshsig;

import io.github.s3flash.api.sshsig.SshWire.FormatException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Locale;

/**
 * The SSH key and signature algorithms s3flash verifies and signs with, mapped onto the JDK's
 * providers: Ed25519, ECDSA on NIST P-256/384/521, and RSA with SHA-2 (never SHA-1).
 */
final class SshAlgorithms {

    static final String ED25519 = "ssh-ed25519";
    static final String RSA = "ssh-rsa";
    /** Smaller RSA keys are refused: 2048 bits is the floor of current guidance (NIST SP 800-131A). */
    static final int RSA_MIN_BITS = 2048;
    /** OpenSSH's own ceiling; it also bounds the work a hostile key can ask for. */
    static final int RSA_MAX_BITS = 16384;

    /** DER prefixes that turn a raw Ed25519 key into the X.509 / PKCS#8 encodings the JDK reads. */
    private static final byte[] ED25519_X509 = hex("302a300506032b6570032100");
    private static final byte[] ED25519_PKCS8 = hex("302e020100300506032b657004220420");

    private SshAlgorithms() {}

    enum Curve {
        P256("ecdsa-sha2-nistp256", "nistp256", "secp256r1", "SHA256withECDSAinP1363Format", 32),
        P384("ecdsa-sha2-nistp384", "nistp384", "secp384r1", "SHA384withECDSAinP1363Format", 48),
        P521("ecdsa-sha2-nistp521", "nistp521", "secp521r1", "SHA512withECDSAinP1363Format", 66);

        final String keyType;
        final String sshName;
        final String jdkName;
        final String signature;
        final int fieldBytes;

        Curve(String keyType, String sshName, String jdkName, String signature, int fieldBytes) {
            this.keyType = keyType;
            this.sshName = sshName;
            this.jdkName = jdkName;
            this.signature = signature;
            this.fieldBytes = fieldBytes;
        }

        static Curve ofKeyType(String type) {
            for (Curve c : values()) {
                if (c.keyType.equals(type)) {
                    return c;
                }
            }
            return null;
        }

        ECParameterSpec parameters() throws GeneralSecurityException {
            AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
            p.init(new ECGenParameterSpec(jdkName));
            return p.getParameterSpec(ECParameterSpec.class);
        }
    }

    /** Whether s3flash can verify signatures made by keys of {@code type}. */
    static boolean supported(String type) {
        return ED25519.equals(type) || RSA.equals(type) || Curve.ofKeyType(type) != null;
    }

    static String supportedTypes() {
        return "ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (with rsa-sha2-256/512 signatures)";
    }

    /** Checks that {@code blob} is a well-formed public key of a supported type, and returns it for the JDK. */
    static PublicKey publicKey(byte[] blob) throws FormatException {
        var in = new SshWire.Reader(blob);
        String type = in.text("key type", 64);
        try {
            PublicKey key;
            if (ED25519.equals(type)) {
                byte[] raw = in.string("Ed25519 public key", 32);
                if (raw.length != 32) {
                    throw new FormatException("Ed25519 public key is " + raw.length + " bytes, not 32");
                }
                key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(ED25519_X509, raw)));
            } else if (RSA.equals(type)) {
                BigInteger e = in.mpint("RSA exponent", RSA_MAX_BITS);
                BigInteger n = in.mpint("RSA modulus", RSA_MAX_BITS);
                checkRsa(n, e);
                key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
            } else {
                Curve curve = Curve.ofKeyType(type);
                if (curve == null) {
                    throw new FormatException("key type " + type + " is not supported (supported: " + supportedTypes()
                            + ")");
                }
                String name = in.text("ECDSA curve name", 64);
                if (!name.equals(curve.sshName)) {
                    throw new FormatException("ECDSA key of type " + type + " names curve " + name);
                }
                ECPoint q = point(in.string("ECDSA public point", 2 * curve.fieldBytes + 1), curve);
                key = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(q, curve.parameters()));
            }
            in.expectEnd("public key");
            return key;
        } catch (GeneralSecurityException e) {
            throw new FormatException("the " + type + " key is not valid: " + e.getMessage());
        }
    }

    private static void checkRsa(BigInteger n, BigInteger e) throws FormatException {
        if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0 || !n.testBit(0)) {
            throw new FormatException("RSA key is not valid (even modulus or bad exponent)");
        }
    }

    /**
     * Smaller RSA keys are well-formed (OpenSSH accepts 1024 bits) and may sit in a shared allowed
     * signers file, but s3flash neither signs nor trusts with them.
     */
    private static void checkRsaStrength(PublicKey key) throws FormatException {
        if (key instanceof java.security.interfaces.RSAKey rsa && rsa.getModulus().bitLength() < RSA_MIN_BITS) {
            throw new FormatException("the RSA key has " + rsa.getModulus().bitLength() + " bits; s3flash requires"
                    + " at least " + RSA_MIN_BITS);
        }
    }

    /** An uncompressed point (0x04 X Y), checked to lie on the curve. */
    private static ECPoint point(byte[] encoded, Curve curve) throws FormatException, GeneralSecurityException {
        if (encoded.length != 2 * curve.fieldBytes + 1 || encoded[0] != 4) {
            throw new FormatException("ECDSA public point is not an uncompressed " + curve.sshName + " point");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(encoded, 1, 1 + curve.fieldBytes));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(encoded, 1 + curve.fieldBytes, encoded.length));
        var params = curve.parameters();
        BigInteger p = ((java.security.spec.ECFieldFp) params.getCurve().getField()).getP();
        BigInteger a = params.getCurve().getA();
        BigInteger b = params.getCurve().getB();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0
                || !y.multiply(y).subtract(x.pow(3).add(a.multiply(x)).add(b)).mod(p).equals(BigInteger.ZERO)) {
            throw new FormatException("ECDSA public point is not on curve " + curve.sshName);
        }
        return new ECPoint(x, y);
    }

    /** Whether a key of {@code keyType} may make signatures of {@code signatureType} under SSHSIG. */
    static boolean signatureFits(String keyType, String signatureType) {
        if (RSA.equals(keyType)) {
            // SSHSIG forbids RSA with SHA-1 (the plain "ssh-rsa" signature).
            return "rsa-sha2-512".equals(signatureType) || "rsa-sha2-256".equals(signatureType);
        }
        return keyType.equals(signatureType);
    }

    /**
     * Verifies an SSH signature blob ({@code string type, string signature}) made by {@code key} over
     * {@code data}.
     */
    static boolean verify(SshPublicKey key, byte[] signatureBlob, byte[] data) throws FormatException {
        PublicKey jdkKey = publicKey(key.blob());
        checkRsaStrength(jdkKey);
        var in = new SshWire.Reader(signatureBlob);
        String type = in.text("signature type", 64);
        if (!signatureFits(key.type(), type)) {
            throw new FormatException("a " + key.type() + " key cannot make a " + type + " signature"
                    + (RSA.equals(key.type()) && RSA.equals(type) ? " (RSA with SHA-1 is refused)" : ""));
        }
        byte[] raw = in.string("signature bytes", RSA_MAX_BITS / 8 + 16);
        in.expectEnd("signature");
        try {
            Signature verifier;
            byte[] signature;
            if (ED25519.equals(type)) {
                if (raw.length != 64) {
                    throw new FormatException("Ed25519 signature is " + raw.length + " bytes, not 64");
                }
                verifier = Signature.getInstance("Ed25519");
                signature = raw;
            } else if (type.startsWith("rsa-sha2-")) {
                verifier = Signature.getInstance("rsa-sha2-512".equals(type) ? "SHA512withRSA" : "SHA256withRSA");
                signature = raw;
            } else {
                Curve curve = Curve.ofKeyType(type);
                var rs = new SshWire.Reader(raw);
                BigInteger r = rs.mpint("ECDSA r", curve.fieldBytes * 8);
                BigInteger s = rs.mpint("ECDSA s", curve.fieldBytes * 8);
                rs.expectEnd("ECDSA signature");
                signature = concat(fixed(r, curve.fieldBytes), fixed(s, curve.fieldBytes));
                verifier = Signature.getInstance(curve.signature);
            }
            verifier.initVerify(jdkKey);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            // The JDK throws rather than answers false on some malformed signatures (wrong length).
            return false;
        } catch (GeneralSecurityException e) {
            throw new FormatException("cannot verify a " + type + " signature: " + e.getMessage());
        }
    }

    /** Signs {@code data}: the SSH signature blob ({@code string type, string signature}). */
    static byte[] sign(String keyType, PrivateKey key, byte[] data) throws GeneralSecurityException {
        String type;
        byte[] signature;
        if (ED25519.equals(keyType)) {
            type = ED25519;
            signature = jdkSign("Ed25519", key, data);
        } else if (RSA.equals(keyType)) {
            // What ssh-keygen -Y sign uses for RSA keys.
            type = "rsa-sha2-512";
            signature = jdkSign("SHA512withRSA", key, data);
        } else {
            Curve curve = Curve.ofKeyType(keyType);
            type = curve.keyType;
            byte[] rs = jdkSign(curve.signature, key, data);
            int half = rs.length / 2;
            signature = new SshWire.Writer()
                    .mpint(new BigInteger(1, Arrays.copyOfRange(rs, 0, half)))
                    .mpint(new BigInteger(1, Arrays.copyOfRange(rs, half, rs.length)))
                    .toByteArray();
        }
        return new SshWire.Writer().text(type).string(signature).toByteArray();
    }

    private static byte[] jdkSign(String algorithm, PrivateKey key, byte[] data) throws GeneralSecurityException {
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(data);
        return signer.sign();
    }

    static PrivateKey ed25519PrivateKey(byte[] seed) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(ED25519_PKCS8, seed)));
    }

    static PrivateKey ecPrivateKey(Curve curve, BigInteger d) throws GeneralSecurityException {
        return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(d, curve.parameters()));
    }

    static PrivateKey rsaPrivateKey(BigInteger n, BigInteger e, BigInteger d, BigInteger iqmp, BigInteger p,
            BigInteger q) throws GeneralSecurityException, FormatException {
        checkRsa(n, e);
        if (n.bitLength() < RSA_MIN_BITS) {
            throw new FormatException("the RSA key has " + n.bitLength() + " bits; s3flash requires at least "
                    + RSA_MIN_BITS);
        }
        if (p.signum() <= 0 || q.signum() <= 0 || !p.multiply(q).equals(n)) {
            throw new FormatException("RSA private key's primes do not multiply to its modulus");
        }
        BigInteger dp = d.mod(p.subtract(BigInteger.ONE));
        BigInteger dq = d.mod(q.subtract(BigInteger.ONE));
        return KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(n, e, d, p, q, dp, dq, iqmp));
    }

    /** {@code v} as exactly {@code length} big-endian bytes. */
    private static byte[] fixed(BigInteger v, int length) throws FormatException {
        byte[] b = v.toByteArray();
        int skip = b.length > length && b[0] == 0 ? 1 : 0;
        if (b.length - skip > length) {
            throw new FormatException("ECDSA signature value is too large");
        }
        byte[] out = new byte[length];
        System.arraycopy(b, skip, out, length - (b.length - skip), b.length - skip);
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s.toLowerCase(Locale.ROOT));
    }
}
