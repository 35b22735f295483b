package io.github.s3flash.api.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.sshsig.AllowedSigners;
import io.github.s3flash.api.sshsig.SshKeygen;
import io.github.s3flash.api.sshsig.SshPrivateKey;
import io.github.s3flash.api.sshsig.SshSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust decision over real signatures (keys made by {@code ssh-keygen}, signatures by it and by
 * s3flash): which of the three ways makes an image trusted, what is refused and the reason given.
 */
class TrustPolicyTest {

    @TempDir
    static Path dir;

    private static SshPrivateKey ops;
    private static SshPrivateKey stranger;
    private static IndexedImage unsigned;
    private static IndexedImage signedByOps;
    private static IndexedImage signedByStranger;
    private static AllowedSigners trusted;

    @BeforeAll
    static void images() throws IOException {
        ops = SshPrivateKey.read(SshKeygen.generate(dir, "ops", "ed25519", 0, "ops@example.com"));
        stranger = SshPrivateKey.read(SshKeygen.generate(dir, "stranger", "ecdsa", 256, "someone@else"));
        IndexedObjects.Built plain = IndexedObjects.build(new Random(5), 16, 200_000, null);
        unsigned = open(plain.bytes());
        signedByOps = open(IndexedObjects.build(new Random(5), 16, 200_000,
                ops.sign(plain.manifest(), SshSignature.IMAGE_NAMESPACE).armored()).bytes());
        signedByStranger = open(IndexedObjects.build(new Random(5), 16, 200_000,
                stranger.sign(plain.manifest(), SshSignature.IMAGE_NAMESPACE).armored()).bytes());
        trusted = AllowedSigners.parse("ops@example.com namespaces=\"s3flash-image\",valid-before=\"20400101Z\" "
                + ops.publicKey().openSshLine() + "\n", "/etc/s3flash/allowed_signers", ZoneId.of("UTC"));
    }

    private static IndexedImage open(byte[] object) throws IOException {
        return IndexedImage.require(new BytesImage(object), RetryPolicy.DEFAULT);
    }

    @Test
    void theSameManifestIsTheSameImageDigestSignedOrNot() {
        assertThat(signedByOps.digest()).isEqualTo(unsigned.digest()).isEqualTo(signedByStranger.digest());
    }

    @Test
    void aSignatureByATrustedKeyIsTrusted() throws IOException {
        TrustDecision d = TrustPolicy.none().withTrustedKeys(trusted).decide(signedByOps.manifest(),
                signedByOps.signatures());
        assertThat(d.kind()).isEqualTo(TrustDecision.Kind.SIGNATURE);
        assertThat(d.authenticated()).isTrue();
        assertThat(d.detail()).isEqualTo("signed by " + ops.publicKey() + " (principal ops@example.com, embedded"
                + " signature, /etc/s3flash/allowed_signers)");
        assertThat(d.signatures()).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(SignatureCheck.Status.VALID);
            assertThat(c.describe()).isEqualTo("valid: " + ops.publicKey() + " principal ops@example.com (embedded)");
        });
    }

    @Test
    void withTrustedKeysAnUnsignedOrStrangersImageIsRefused() {
        var policy = TrustPolicy.none().withTrustedKeys(trusted);
        assertThatThrownBy(() -> policy.decide(unsigned.manifest(), unsigned.signatures()))
                .isInstanceOf(UntrustedImageException.class)
                .hasMessage("the image is not signed, and trusted keys (/etc/s3flash/allowed_signers) require a"
                        + " signature: sign it (s3flash image sign URI --key KEY) or pin its digest");
        assertThatThrownBy(() -> policy.decide(signedByStranger.manifest(), signedByStranger.signatures()))
                .isInstanceOf(UntrustedImageException.class)
                .hasMessageContaining("no signature of the image is by a trusted key (/etc/s3flash/allowed_signers):"
                        + " untrusted: " + stranger.publicKey() + " (embedded): key " + stranger.publicKey()
                        + " is not in allowed signers file /etc/s3flash/allowed_signers");
        // The whole image's SHA-256 is no way around trusted keys: it is checked only after writing.
        assertThatThrownBy(() -> policy.withImageSha256("ab".repeat(32)).decide(unsigned.manifest(),
                unsigned.signatures()))
                .isInstanceOf(UntrustedImageException.class);
    }

    @Test
    void aDetachedSignatureTrustsAnImageItsEmbeddedOneDoesNot() throws IOException {
        Path manifest = Files.write(dir.resolve("manifest"), signedByStranger.manifest().bytes());
        Path key = dir.resolve("ops");
        byte[] detached = SshKeygen.sign(key, SshSignature.IMAGE_NAMESPACE, manifest);
        Map<String, byte[]> signatures = signedByStranger.signatures();
        signatures.put("s3://images/os.img.lz4.sshsig", detached);
        TrustDecision d = TrustPolicy.none().withTrustedKeys(trusted).decide(signedByStranger.manifest(), signatures);
        assertThat(d.kind()).isEqualTo(TrustDecision.Kind.SIGNATURE);
        assertThat(d.detail()).contains("s3://images/os.img.lz4.sshsig signature");
        assertThat(d.signatures()).extracting(SignatureCheck::status)
                .containsExactly(SignatureCheck.Status.UNTRUSTED, SignatureCheck.Status.VALID);
    }

    @Test
    void aPinnedDigestTrustsExactlyThatImage() throws IOException {
        String digest = unsigned.digest();
        TrustDecision d = TrustPolicy.none().withTrustedKeys(trusted)
                .withImageDigest("SHA256:" + digest.toUpperCase(Locale.ROOT))
                .decide(unsigned.manifest(), unsigned.signatures());
        assertThat(d.kind()).isEqualTo(TrustDecision.Kind.IMAGE_DIGEST);
        assertThat(d.authenticated()).isTrue();

        IndexedImage other = open(IndexedObjects.build(new Random(6), 16, 200_000, null).bytes());
        assertThatThrownBy(() -> TrustPolicy.none().withImageDigest(digest).decide(other.manifest(), other.signatures()))
                .isInstanceOf(UntrustedImageException.class)
                .hasMessage("the image digest is " + other.digest() + " but " + digest
                        + " was pinned: this is another image, or its manifest was changed");
        // A good signature does not override a pin that does not match.
        assertThatThrownBy(() -> TrustPolicy.none().withTrustedKeys(trusted).withImageDigest(other.digest())
                .decide(signedByOps.manifest(), signedByOps.signatures()))
                .isInstanceOf(UntrustedImageException.class);
    }

    @Test
    void theWholeImagesSha256AloneIsCheckedLater() throws IOException {
        TrustDecision d = TrustPolicy.none().withImageSha256("ab".repeat(32)).decide(unsigned.manifest(),
                unsigned.signatures());
        assertThat(d.kind()).isEqualTo(TrustDecision.Kind.IMAGE_SHA256);
        assertThat(d.authenticated()).isFalse();
        assertThat(d.detail()).contains("checked once the image is decoded");
    }

    @Test
    void withNothingGivenSignaturesAreReportedButNothingIsRequired() throws IOException {
        TrustDecision d = TrustPolicy.none().decide(signedByStranger.manifest(), signedByStranger.signatures());
        assertThat(d.kind()).isEqualTo(TrustDecision.Kind.NONE);
        assertThat(d.signatures()).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(SignatureCheck.Status.UNTRUSTED);
            assertThat(c.reason()).contains("no trusted keys were given");
        });
        assertThat(TrustPolicy.none().decide(unsigned.manifest(), unsigned.signatures()).signatures())
                .extracting(SignatureCheck::status).containsExactly(SignatureCheck.Status.ABSENT);
    }

    @Test
    void principalAndTimeAreChecked() {
        var policy = TrustPolicy.none().withTrustedKeys(trusted);
        assertThatThrownBy(() -> policy.withPrincipal("dev@example.com").decide(signedByOps.manifest(),
                signedByOps.signatures()))
                .isInstanceOf(UntrustedImageException.class)
                .hasMessageContaining("line 1 lists " + ops.publicKey() + " for principals 'ops@example.com', not"
                        + " dev@example.com");
        Clock later = Clock.fixed(Instant.parse("2041-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertThatThrownBy(() -> policy.withClock(later).decide(signedByOps.manifest(), signedByOps.signatures()))
                .isInstanceOf(UntrustedImageException.class)
                .hasMessageContaining("as valid before 2040-01-01T00:00:00Z, and it is 2041-01-01T00:00:00Z");
    }

    @Test
    void anotherNamespaceOrOtherBytesAreInvalid() throws IOException {
        byte[] manifest = signedByOps.manifest().bytes();
        Map<String, byte[]> wrong = new LinkedHashMap<>();
        wrong.put("git namespace", ops.sign(manifest, "git").armored().getBytes(StandardCharsets.US_ASCII));
        byte[] other = manifest.clone();
        other[70] ^= 1;
        wrong.put("other bytes", ops.sign(other, SshSignature.IMAGE_NAMESPACE).armored().getBytes(StandardCharsets.US_ASCII));
        wrong.put("not a signature", "hello".getBytes(StandardCharsets.US_ASCII));
        var checks = TrustPolicy.none().withTrustedKeys(trusted).check(signedByOps.manifest(), wrong);
        assertThat(checks).extracting(SignatureCheck::status).containsOnly(SignatureCheck.Status.INVALID);
        assertThat(checks.get(0).reason()).contains("namespace 'git', not 's3flash-image'");
        assertThat(checks.get(1).reason()).contains("does not match");
        assertThat(checks.get(2).reason()).contains("does not start with '-----BEGIN SSH SIGNATURE-----'");
    }

    @Test
    void digestsMustBeSha256Hex() {
        assertThatThrownBy(() -> TrustPolicy.none().withImageDigest("abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image digest 'abc' is not a SHA-256: expected 64 hex digits");
    }
}
