package io.github.s3flash.api.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.InvalidImageException;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.sshsig.AllowedSigners;
import io.github.s3flash.api.sshsig.SshKeygen;
import io.github.s3flash.api.sshsig.SshPrivateKey;
import io.github.s3flash.api.sshsig.SshSignature;
import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every byte of a signed object's index tampered with, and the object cut and appended to at every
 * class of offset: the reader names exactly what is wrong (footer, manifest, which frame header, the
 * signature, truncation, appended bytes) with the byte offset, and never throws anything unchecked.
 * Chunk frames tampered with are the chunk decoder's business: tested with the real codecs through
 * {@code s3flash image verify}.
 */
class TamperDiagnosisTest {

    @TempDir
    static Path dir;

    private static IndexedObjects.Built built;
    private static AllowedSigners trusted;

    @BeforeAll
    static void signedObject() throws IOException {
        Path key = SshKeygen.generate(dir, "id_ed25519", "ed25519", 0, "ops@example.com");
        SshPrivateKey signer = SshPrivateKey.read(key);
        var random = new Random(42);
        IndexedObjects.Built unsigned = IndexedObjects.build(random, 16, 5 * 65536 + 1234, null);
        SshSignature signature = signer.sign(unsigned.manifest(), SshSignature.IMAGE_NAMESPACE);
        built = IndexedObjects.build(new Random(42), 16, 5 * 65536 + 1234, signature.armored());
        trusted = AllowedSigners.parse("ops@example.com " + signer.publicKey().openSshLine() + "\n", "allowed_signers",
                ZoneId.of("UTC"));
    }

    private static Optional<IndexedImage> open(byte[] object) throws IOException {
        return IndexedImage.open(new BytesImage(object), RetryPolicy.DEFAULT);
    }

    private static byte[] flipped(int at) {
        byte[] object = built.bytes().clone();
        object[at] ^= 0x01;
        return object;
    }

    @Test
    void theUntamperedObjectIsTrustedBySignature() throws IOException {
        IndexedImage index = open(built.bytes()).orElseThrow();
        TrustDecision decision = TrustPolicy.none().withTrustedKeys(trusted).decide(index.manifest(), index.signatures());
        assertThat(decision.kind()).isEqualTo(TrustDecision.Kind.SIGNATURE);
        assertThat(decision.detail()).contains("principal ops@example.com");
    }

    @Test
    void everyFooterByteFlippedIsTheFooterDamaged() {
        long footer = built.footerOffset();
        for (int at = (int) footer; at < built.bytes().length; at++) {
            int i = at;
            assertThatThrownBy(() -> open(flipped(i))).as("byte " + i + " of the footer frame")
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("the index footer is damaged")
                    .satisfies(e -> assertThat(((CorruptImageException) e).offset()).isBetween(footer, footer + 8));
        }
    }

    @Test
    void everyManifestByteFlippedIsTheManifestDamaged() {
        int start = (int) built.manifestOffset() + IndexFormat.FRAME_HEADER;
        for (int at = start; at < start + built.manifest().length; at++) {
            int i = at;
            assertThatThrownBy(() -> open(flipped(i))).as("manifest byte " + (i - start))
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("the manifest is damaged: its " + built.manifest().length + " bytes hash to")
                    .hasMessageContaining("at compressed byte offset " + start);
        }
    }

    @Test
    void frameHeadersFlippedAreNamed() {
        for (int b = 0; b < IndexFormat.FRAME_HEADER; b++) {
            int m = (int) built.manifestOffset() + b;
            assertThatThrownBy(() -> open(flipped(m))).as("manifest frame header byte " + b)
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("the manifest frame's header is damaged");
            int s = (int) built.signatureOffset() + b;
            assertThatThrownBy(() -> open(flipped(s))).as("signature frame header byte " + b)
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("the signature frame's header is damaged");
        }
    }

    @Test
    void everySignatureByteFlippedIsAnInvalidSignatureAndRefusedWithTrustedKeys() throws IOException {
        int start = (int) built.signatureOffset() + IndexFormat.FRAME_HEADER;
        byte[] original = SshSignature.parseArmored(Arrays.copyOfRange(built.bytes(), start,
                start + built.signatureLength())).blob();
        for (int at = start; at < start + built.signatureLength(); at++) {
            IndexedImage index = open(flipped(at)).orElseThrow();
            var policy = TrustPolicy.none().withTrustedKeys(trusted);
            SignatureCheck check = policy.check(index.manifest(), index.signatures()).getFirst();
            if (check.status() == SignatureCheck.Status.VALID) {
                // Only a flip that base64 decodes to the same bytes (an unused low bit) may leave it valid.
                assertThat(SshSignature.parseArmored(index.signature().orElseThrow()).blob())
                        .as("signature byte " + (at - start)).isEqualTo(original);
                continue;
            }
            assertThat(check.status()).as("signature byte " + (at - start)).isEqualTo(SignatureCheck.Status.INVALID);
            assertThat(check.reason()).as("signature byte " + (at - start)).isNotBlank();
            assertThatThrownBy(() -> policy.decide(index.manifest(), index.signatures()))
                    .isInstanceOf(UntrustedImageException.class)
                    .hasMessageContaining("no signature of the image is by a trusted key (allowed_signers): invalid");
        }
    }

    /** A cut and what the reader must say of it: null for "no index" (a plain image, as far as can be told). */
    private record Cut(String what, long length, String diagnosis) {}

    @Test
    void truncationAtEveryClassOfOffsetIsNamed() throws IOException {
        long manifest = built.manifestOffset();
        long signature = built.signatureOffset();
        long footer = built.footerOffset();
        long length = built.bytes().length;
        for (Cut cut : List.of(
                new Cut("nothing left", 0, null),
                new Cut("one byte left", 1, null),
                new Cut("inside the chunk frames", manifest / 2, null),
                new Cut("after the chunk frames", manifest, null),
                new Cut("inside the manifest frame header", manifest + 5, null),
                new Cut("inside the manifest", manifest + 8 + 70, "truncated at " + (manifest + 78) + " bytes"),
                new Cut("before the signature", signature, "truncated at " + signature + " bytes"),
                new Cut("inside the signature", signature + 100, "truncated at " + (signature + 100) + " bytes"),
                new Cut("before the footer", footer, "truncated at " + footer + " bytes"),
                new Cut("inside the footer", footer + 40, "truncated at " + (footer + 40) + " bytes"),
                new Cut("the last byte", length - 1, "truncated at " + (length - 1) + " bytes"))) {
            byte[] object = Arrays.copyOf(built.bytes(), (int) cut.length());
            if (cut.diagnosis() == null) {
                assertThat(open(object)).as(cut.what()).isEmpty();
                assertThatThrownBy(() -> IndexedImage.require(new BytesImage(object), RetryPolicy.DEFAULT))
                        .as(cut.what())
                        .isInstanceOf(InvalidImageException.class)
                        .hasMessageContaining("mem:/object is not an indexed image")
                        .hasMessageContaining("truncated inside its chunk frames");
            } else {
                assertThatThrownBy(() -> open(object)).as(cut.what())
                        .isInstanceOf(CorruptImageException.class)
                        .hasMessageContaining("the object ends without the index footer that must follow its manifest"
                                + " (at offset " + manifest + ")")
                        .hasMessageContaining(cut.diagnosis());
            }
        }
    }

    @Test
    void appendedBytesAreNamedWithTheLengthToTruncateTo() {
        long length = built.bytes().length;
        byte[] skippable = new byte[18];
        IndexFormat.putIntLE(skippable, 0, 0x184D2A5F);
        IndexFormat.putIntLE(skippable, 4, 10);
        for (byte[] extra : List.of(new byte[1], new byte[100], skippable)) {
            byte[] object = Arrays.copyOf(built.bytes(), built.bytes().length + extra.length);
            System.arraycopy(extra, 0, object, built.bytes().length, extra.length);
            assertThatThrownBy(() -> open(object)).as(extra.length + " bytes appended")
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("the index footer at offset " + built.footerOffset() + " is followed by "
                            + extra.length + " more bytes: bytes were appended to the image (truncate it to " + length
                            + " bytes to remove them)");
        }
    }
}
