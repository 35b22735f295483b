package io.github.s3flash.api.sshsig;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the OpenSSH parsers with inputs {@code ssh-keygen} made, mutated inside their
 * base64 (so the wire parser, not the base64 decoder, meets the damage): signatures, private keys and
 * allowed_signers lines parse, verify or fail with {@link SshSignatureException}, never with an
 * unchecked exception. {@code -Ds3flash.seed=N} replays a failure.
 */
class SshParsingFuzzTest {

    private static final int ROUNDS = 4000;

    @TempDir
    static Path dir;

    private static final List<byte[]> SIGNATURES = new ArrayList<>();
    private static final List<byte[]> KEYS = new ArrayList<>();
    private static final List<String> PUBLIC = new ArrayList<>();
    private static final byte[] MESSAGE = "fuzzed manifest".getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void inputs() throws IOException {
        Path message = Files.write(dir.resolve("m"), MESSAGE);
        for (String[] type : new String[][] {{"ed25519", "0"}, {"ecdsa", "256"}, {"ecdsa", "521"}, {"rsa", "2048"}}) {
            Path key = SshKeygen.generate(dir, type[0] + type[1], type[0], Integer.parseInt(type[1]), "fuzz");
            SIGNATURES.add(SshKeygen.sign(key, SshSignature.IMAGE_NAMESPACE, message));
            KEYS.add(Files.readAllBytes(key));
            PUBLIC.add(SshKeygen.publicLine(key));
        }
    }

    private static long seed() {
        String fixed = System.getProperty("s3flash.seed");
        return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    }

    private static String replay(long seed, int round) {
        return "seed " + seed + ", round " + round + " (replay with -Ds3flash.seed=" + seed + ")";
    }

    /** The base64 body between the armor lines, decoded, mutated and armored again. */
    private static byte[] mutateArmored(Random random, byte[] armored, String begin, String end, boolean mime) {
        String text = new String(armored, StandardCharsets.US_ASCII);
        int from = text.indexOf('\n') + 1;
        int to = text.indexOf(end);
        byte[] blob = Base64.getMimeDecoder().decode(text.substring(from, to));
        blob = mutate(random, blob);
        String body = mime ? Base64.getMimeEncoder(70, new byte[] {'\n'}).encodeToString(blob)
                : Base64.getEncoder().encodeToString(blob);
        return (begin + "\n" + body + "\n" + end + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] mutate(Random random, byte[] input) {
        byte[] b = input.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int i = 1 + random.nextInt(6); i > 0 && b.length > 0; i--) {
                    b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            case 2 -> { // a length field (any 4 aligned-or-not bytes) set to an extreme value
                if (b.length >= 4) {
                    int at = random.nextInt(b.length - 3);
                    int v = new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 20, random.nextInt()}[random.nextInt(6)];
                    b[at] = (byte) (v >>> 24);
                    b[at + 1] = (byte) (v >>> 16);
                    b[at + 2] = (byte) (v >>> 8);
                    b[at + 3] = (byte) v;
                }
            }
            case 3 -> {
                byte[] extra = new byte[1 + random.nextInt(40)];
                random.nextBytes(extra);
                int at = random.nextInt(b.length + 1);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                b = out;
            }
            default -> {
                int at = b.length == 0 ? 0 : random.nextInt(b.length);
                int n = b.length == 0 ? 0 : random.nextInt(b.length - at);
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
                b = out;
            }
        }
        return b;
    }

    @Test
    void signatures() {
        long seed = seed();
        var random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] original = SIGNATURES.get(random.nextInt(SIGNATURES.size()));
            byte[] mutated = random.nextInt(5) == 0 ? mutate(random, original)
                    : mutateArmored(random, original, "-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----", true);
            try {
                SshSignature s = SshSignature.parseArmored(mutated);
                s.verify(MESSAGE, SshSignature.IMAGE_NAMESPACE);
                s.armored();
            } catch (SshSignatureException expected) {
                // a refusal with a message is the right outcome
            } catch (RuntimeException | Error e) {
                fail(replay(seed, round) + ": unchecked " + e, e);
            }
        }
    }

    @Test
    void privateKeys() {
        long seed = seed();
        var random = new Random(seed);
        for (int round = 0; round < ROUNDS / 4; round++) {
            byte[] original = KEYS.get(random.nextInt(KEYS.size()));
            byte[] mutated = random.nextInt(5) == 0 ? mutate(random, original)
                    : mutateArmored(random, original, "-----BEGIN OPENSSH PRIVATE KEY-----",
                            "-----END OPENSSH PRIVATE KEY-----", true);
            try {
                SshPrivateKey.parse(mutated, "fuzzed key").sign(MESSAGE, SshSignature.IMAGE_NAMESPACE);
            } catch (SshSignatureException expected) {
                // a refusal with a message is the right outcome
            } catch (RuntimeException | Error e) {
                fail(replay(seed, round) + ": unchecked " + e, e);
            }
        }
    }

    @Test
    void allowedSignersLines() {
        long seed = seed();
        var random = new Random(seed);
        String[] options = {"", "namespaces=\"s3flash-image\" ", "valid-after=\"20200101\",valid-before=\"20990101Z\" ",
            "namespaces=\"a,b*\",valid-after=\"202001011200\" ", "cert-authority "};
        for (int round = 0; round < ROUNDS; round++) {
            String key = PUBLIC.get(random.nextInt(PUBLIC.size()));
            String line = "ops@example.com " + options[random.nextInt(options.length)] + key;
            byte[] mutated = mutate(random, line.getBytes(StandardCharsets.UTF_8));
            if (random.nextBoolean()) {
                // Damage inside the key's base64 too, so the key parser meets it.
                String[] fields = key.split(" ");
                byte[] blob = mutate(random, Base64.getDecoder().decode(fields[1]));
                mutated = ("ops@example.com " + fields[0] + " " + Base64.getEncoder().encodeToString(blob))
                        .getBytes(StandardCharsets.UTF_8);
            }
            try {
                AllowedSigners signers = AllowedSigners.parse(new String(mutated, StandardCharsets.UTF_8), "fuzzed",
                        ZoneId.of("UTC"));
                for (var entry : signers.entries()) {
                    signers.authorize(entry.key(), SshSignature.IMAGE_NAMESPACE, Instant.now(), "ops@example.com");
                }
            } catch (SshSignatureException expected) {
                // a refusal with a message is the right outcome
            } catch (RuntimeException | Error e) {
                fail(replay(seed, round) + ": unchecked " + e + " on " + new String(mutated, StandardCharsets.UTF_8), e);
            }
        }
    }

    @Test
    void patternsOfEveryShapeMatchInBoundedTime() {
        long seed = seed();
        var random = new Random(seed);
        String alphabet = "ab*?!,";
        for (int round = 0; round < ROUNDS; round++) {
            var pattern = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                pattern.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = "a".repeat(random.nextInt(60)) + (random.nextBoolean() ? "b" : "");
            try {
                Patterns.matchList(s, pattern.toString());
            } catch (RuntimeException | Error e) {
                fail(replay(seed, round) + ": unchecked " + e, e);
            }
        }
        // The classic exponential case for backtracking matchers finishes at once.
        long start = System.nanoTime();
        Patterns.match("a".repeat(5000) + "b", "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c");
        if (System.nanoTime() - start > 5_000_000_000L) {
            fail("pattern matching took more than 5 s on a hostile pattern");
        }
    }
}
