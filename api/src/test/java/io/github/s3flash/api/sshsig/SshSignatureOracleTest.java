package io.github.s3flash.api.sshsig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSHSIG against the real {@code ssh-keygen} (OpenSSH 9), both ways, for every key type s3flash
 * signs and verifies with: our signatures pass {@code ssh-keygen -Y verify}, its signatures pass
 * ours, Ed25519 signatures are byte for byte the same, and both refuse the same things: a key not in
 * allowed_signers, another namespace, other bytes, and every allowed_signers option that excludes
 * the signer.
 */
class SshSignatureOracleTest {

    private static final String NS = SshSignature.IMAGE_NAMESPACE;
    private static final String PRINCIPAL = "ops@example.com";

    @TempDir
    static Path dir;

    private static final List<Path> KEYS = new ArrayList<>();
    private static Path message;

    @BeforeAll
    static void keys() throws IOException {
        KEYS.add(SshKeygen.generate(dir, "ed25519", "ed25519", 0, PRINCIPAL));
        KEYS.add(SshKeygen.generate(dir, "ecdsa256", "ecdsa", 256, PRINCIPAL));
        KEYS.add(SshKeygen.generate(dir, "ecdsa384", "ecdsa", 384, PRINCIPAL));
        KEYS.add(SshKeygen.generate(dir, "ecdsa521", "ecdsa", 521, PRINCIPAL));
        KEYS.add(SshKeygen.generate(dir, "rsa2048", "rsa", 2048, PRINCIPAL));
        KEYS.add(SshKeygen.generate(dir, "rsa3072", "rsa", 3072, PRINCIPAL));
        message = Files.write(dir.resolve("manifest"), "the bytes of a manifest\0\1\2".getBytes(StandardCharsets.UTF_8));
    }

    private static Path allowedSigners(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void ourSignaturesVerifyWithSshKeygen() throws IOException {
        for (Path key : KEYS) {
            SshPrivateKey ours = SshPrivateKey.read(key);
            assertThat(ours.publicKey()).isEqualTo(SshPublicKey.parse(SshKeygen.publicLine(key)));
            SshSignature signature = ours.sign(Files.readAllBytes(message), NS);
            Path sig = Files.writeString(dir.resolve(key.getFileName() + ".ours.sig"), signature.armored());
            Path allowed = allowedSigners(key.getFileName() + ".allowed", PRINCIPAL + " " + SshKeygen.publicLine(key));
            SshKeygen.Run r = SshKeygen.verify(allowed, PRINCIPAL, NS, sig, message);
            assertThat(r.ok()).as(key + ": " + r).isTrue();
            assertThat(r.out() + r.err()).as(key.toString())
                    .contains("Good \"" + NS + "\" signature for " + PRINCIPAL + " with " + ours.publicKey().algorithm()
                            + " key " + ours.publicKey().fingerprint());
        }
    }

    @Test
    void sshKeygenSignaturesVerifyWithOurs() throws IOException {
        for (Path key : KEYS) {
            SshSignature theirs = SshSignature.parseArmored(SshKeygen.sign(key, NS, message));
            assertThat(theirs.key()).isEqualTo(SshPublicKey.parse(SshKeygen.publicLine(key)));
            assertThat(theirs.namespace()).isEqualTo(NS);
            assertThat(theirs.hashAlgorithm()).isEqualTo("sha512");
            theirs.verify(Files.readAllBytes(message), NS);
            var allowed = AllowedSigners.parse(PRINCIPAL + " " + SshKeygen.publicLine(key) + "\n", "test",
                    ZoneId.systemDefault());
            assertThat(allowed.authorize(theirs.key(), NS, Instant.now(), PRINCIPAL).principals()).isEqualTo(PRINCIPAL);
        }
    }

    @Test
    void ed25519SignaturesAreTheSameBytesAsSshKeygens() throws IOException {
        Path key = KEYS.getFirst();
        byte[] theirs = SshKeygen.sign(key, NS, message);
        String ours = SshPrivateKey.read(key).sign(Files.readAllBytes(message), NS).armored();
        assertThat(ours).isEqualTo(new String(theirs, StandardCharsets.US_ASCII));
    }

    @Test
    void fingerprintsAreSshKeygens() throws IOException {
        for (Path key : KEYS) {
            SshKeygen.Run r = SshKeygen.run(null, "-l", "-f", key + ".pub");
            assertThat(r.out()).contains(SshPublicKey.parse(SshKeygen.publicLine(key)).fingerprint());
        }
    }

    @Test
    void aKeyNotInAllowedSignersIsRejectedByBoth() throws IOException {
        Path signer = KEYS.get(0);
        Path other = KEYS.get(1);
        Path sig = writeSignature(signer, NS, "not-listed.sig");
        Path allowed = allowedSigners("other.allowed", PRINCIPAL + " " + SshKeygen.publicLine(other));
        assertThat(SshKeygen.verify(allowed, PRINCIPAL, NS, sig, message).ok()).isFalse();
        SshSignature s = SshSignature.parseArmored(Files.readAllBytes(sig));
        s.verify(Files.readAllBytes(message), NS);
        assertThatThrownBy(() -> AllowedSigners.read(allowed).authorize(s.key(), NS, Instant.now(), null))
                .isInstanceOf(SshSignatureException.class)
                .hasMessageContaining("key ED25519 " + s.key().fingerprint() + " is not in allowed signers file " + allowed);
    }

    @Test
    void anotherNamespaceIsRejectedByBoth() throws IOException {
        Path key = KEYS.get(0);
        Path sig = writeSignature(key, "git", "git.sig");
        Path allowed = allowedSigners("ns.allowed", PRINCIPAL + " " + SshKeygen.publicLine(key));
        assertThat(SshKeygen.verify(allowed, PRINCIPAL, NS, sig, message).ok()).isFalse();
        assertThatThrownBy(() -> SshSignature.parseArmored(Files.readAllBytes(sig)).verify(Files.readAllBytes(message), NS))
                .isInstanceOf(SshSignatureException.class)
                .hasMessageContaining("namespace 'git', not 's3flash-image'");
    }

    @Test
    void otherBytesAreRejectedByBoth() throws IOException {
        for (Path key : KEYS) {
            Path sig = writeSignature(key, NS, key.getFileName() + ".other.sig");
            Path changed = Files.write(dir.resolve("changed"), "the bytes of a manifest\0\1\3".getBytes(StandardCharsets.UTF_8));
            Path allowed = allowedSigners("bytes.allowed", PRINCIPAL + " " + SshKeygen.publicLine(key));
            assertThat(SshKeygen.verify(allowed, PRINCIPAL, NS, sig, changed).ok()).as(key.toString()).isFalse();
            assertThatThrownBy(() -> SshSignature.parseArmored(Files.readAllBytes(sig)).verify(Files.readAllBytes(changed), NS))
                    .as(key.toString())
                    .isInstanceOf(SshSignatureException.class)
                    .hasMessageContaining("does not match: it was made over other bytes");
        }
    }

    /** One allowed_signers line and whether it lets the Ed25519 key sign for ops@example.com in s3flash-image now. */
    private record Line(String text, boolean allows) {}

    @Test
    void allowedSignersLinesReachSshKeygensVerdicts() throws IOException {
        Path key = KEYS.getFirst();
        String k = SshKeygen.publicLine(key);
        Path sig = writeSignature(key, NS, "table.sig");
        List<Line> table = List.of(
                new Line(PRINCIPAL + " " + k, true),
                new Line(PRINCIPAL + " " + k + " a comment after the key", true),
                new Line("*@example.com " + k, true),
                new Line("dev@example.com," + PRINCIPAL + " " + k, true),
                new Line("\"" + PRINCIPAL + "\" " + k, true),
                new Line("dev@example.com " + k, false),
                new Line("!" + PRINCIPAL + ",*@example.com " + k, false),
                new Line("ops@example.?om " + k, true),
                new Line(PRINCIPAL + " namespaces=\"s3flash-image\" " + k, true),
                new Line(PRINCIPAL + " NAMESPACES=\"s3flash-image\" " + k, true),
                new Line(PRINCIPAL + " namespaces=\"git\" " + k, false),
                new Line(PRINCIPAL + " namespaces=\"git,s3flash-*\" " + k, true),
                new Line(PRINCIPAL + " namespaces=\"*,!s3flash-image\" " + k, false),
                new Line(PRINCIPAL + " valid-after=\"20990101\" " + k, false),
                new Line(PRINCIPAL + " valid-before=\"20000101Z\" " + k, false),
                new Line(PRINCIPAL + " valid-after=\"200001011200\",valid-before=\"20990101000000Z\" " + k, true),
                new Line(PRINCIPAL + " namespaces=\"s3flash-image\",valid-after=\"20000101\" " + k, true));
        for (Line line : table) {
            Path allowed = allowedSigners("line.allowed", "# a comment", "", line.text());
            SshKeygen.Run theirs = SshKeygen.verify(allowed, PRINCIPAL, NS, sig, message);
            assertThat(theirs.ok()).as("ssh-keygen on " + line.text() + ": " + theirs).isEqualTo(line.allows());
            SshSignature s = SshSignature.parseArmored(Files.readAllBytes(sig));
            boolean ours;
            try {
                AllowedSigners.read(allowed).authorize(s.key(), NS, Instant.now(), PRINCIPAL);
                ours = true;
            } catch (SshSignatureException e) {
                assertThat(e.getMessage()).as(line.text()).containsAnyOf("not in allowed signers", "does not allow it");
                ours = false;
            }
            assertThat(ours).as("s3flash on " + line.text()).isEqualTo(line.allows());
        }
    }

    @Test
    void malformedLinesAreRefusedWithTheLineWhileSshKeygenSkipsThem() throws IOException {
        Path key = KEYS.getFirst();
        String k = SshKeygen.publicLine(key);
        Path sig = writeSignature(key, NS, "malformed.sig");
        List<String[]> table = List.of(
                new String[] {PRINCIPAL + " colour=\"blue\" " + k, "unknown option"},
                new String[] {PRINCIPAL + " namespaces=s3flash-image " + k, "must be in double quotes"},
                new String[] {PRINCIPAL + " namespaces=\"a\",namespaces=\"b\" " + k, "multiple namespaces"},
                new String[] {PRINCIPAL + " valid-after=\"20990101\",valid-before=\"20000101\" " + k, "not after"},
                new String[] {PRINCIPAL + " valid-after=\"2020-01-01\" " + k, "is not YYYYMMDD"},
                new String[] {PRINCIPAL, "expected PRINCIPALS"},
                new String[] {PRINCIPAL + " ssh-ed25519 AAAA!!!", "base64"},
                new String[] {PRINCIPAL + " cert-authority " + k, "cert-authority is not supported"},
                new String[] {PRINCIPAL + " namespaces=\"s3flash-image\" valid-after=\"20000101\" " + k,
                    "options are one comma-separated list, without spaces"});
        for (String[] row : table) {
            Path allowed = allowedSigners("bad.allowed", "# first line", row[0]);
            assertThat(SshKeygen.verify(allowed, PRINCIPAL, NS, sig, message).ok()).as("ssh-keygen on " + row[0]).isFalse();
            assertThatThrownBy(() -> AllowedSigners.read(allowed)).as(row[0])
                    .isInstanceOf(SshSignatureException.class)
                    .hasMessageContaining("allowed signers file " + allowed + " line 2: ")
                    .hasMessageContaining(row[1]);
        }
    }

    @Test
    void thePrincipalIsWhatFindPrincipalsPrints() throws IOException {
        Path key = KEYS.get(1);
        Path sig = writeSignature(key, NS, "find.sig");
        Path allowed = allowedSigners("find.allowed", "dev@example.com " + SshKeygen.publicLine(KEYS.get(0)),
                "ops@example.com,*@ops.example.com namespaces=\"s3flash-image\" " + SshKeygen.publicLine(key));
        SshKeygen.Run theirs = SshKeygen.run(null, "-Y", "find-principals", "-f", allowed.toString(), "-s",
                sig.toString(), "-n", NS);
        assertThat(theirs.ok()).as(theirs.toString()).isTrue();
        SshSignature s = SshSignature.parseArmored(Files.readAllBytes(sig));
        // ssh-keygen prints one principal per line; the entry holds the line's comma-separated list.
        assertThat(AllowedSigners.read(allowed).authorize(s.key(), NS, Instant.now(), null).principals())
                .isEqualTo(theirs.out().strip().replace("\n", ","));
    }

    @Test
    void keysSshKeygenCanUseButWeCannotAreRefusedWithTheTwoStepRoute() throws IOException {
        Path encrypted = dir.resolve("encrypted");
        assertThat(SshKeygen.run(null, "-q", "-t", "ed25519", "-N", "a passphrase", "-f", encrypted.toString()).ok())
                .isTrue();
        assertThatThrownBy(() -> SshPrivateKey.read(encrypted))
                .isInstanceOf(SshSignatureException.class)
                .hasMessageContaining("is encrypted with a passphrase (aes256-ctr)")
                .hasMessageContaining(SshPrivateKey.SIGN_ELSEWHERE)
                .hasMessageContaining("ssh-keygen -Y sign -n s3flash-image")
                .hasMessageNotContaining("s3flash image");

        Path pem = dir.resolve("pem");
        assertThat(SshKeygen.run(null, "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", pem.toString()).ok())
                .isTrue();
        assertThatThrownBy(() -> SshPrivateKey.read(pem))
                .isInstanceOf(SshSignatureException.class)
                .hasMessageContaining("is a PEM key (RSA PRIVATE KEY)");

        assertThatThrownBy(() -> SshPrivateKey.read(Path.of(KEYS.getFirst() + ".pub")))
                .isInstanceOf(SshSignatureException.class)
                .hasMessageContaining("is a public key; give the private key file");

        Path small = SshKeygen.generate(dir, "rsa1024", "rsa", 1024, PRINCIPAL);
        assertThatThrownBy(() -> SshPrivateKey.read(small))
                .isInstanceOf(SshSignatureException.class)
                .hasMessageContaining("1024 bits; s3flash requires at least 2048");
        // A 1024-bit key in a shared allowed_signers file is read, but its signatures are not trusted.
        SshSignature weak = SshSignature.parseArmored(SshKeygen.sign(small, NS, message));
        assertThatThrownBy(() -> weak.verify(Files.readAllBytes(message), NS))
                .isInstanceOf(SshSignatureException.class)
                .hasMessageContaining("1024 bits");
        assertThat(AllowedSigners.read(allowedSigners("weak.allowed", PRINCIPAL + " " + SshKeygen.publicLine(small)))
                .entries()).hasSize(1);
    }

    private static Path writeSignature(Path key, String namespace, String name) throws IOException {
        return Files.write(dir.resolve(name), SshKeygen.sign(key, namespace, message));
    }
}
