package io.github.s3flash.bootloader.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.Seeds;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The JSON writer against Python's json module: whatever goes in comes back out, exactly. */
class JsonObjectTest {

    @Test
    void membersKeepTheirTypesAndOrder() throws IOException, InterruptedException {
        String json = new JsonObject()
                .put("text", "flashed")
                .put("count", 9_007_199_254_740_993L)
                .put("rate", 12.5)
                .put("unknown", (Long) null)
                .put("none", (String) null)
                .put("yes", true)
                .put("nested", new JsonObject().put("inner", -1L).putNull("gap"))
                .put("empty", new JsonObject())
                .toString();
        assertThat(json).doesNotContain("\n");
        assertThat(JsonOracle.leaves(json)).containsExactly(
                java.util.Map.entry("text", "\"flashed\""),
                java.util.Map.entry("count", "9007199254740993"),
                java.util.Map.entry("rate", "12.5"),
                java.util.Map.entry("unknown", "null"),
                java.util.Map.entry("none", "null"),
                java.util.Map.entry("yes", "true"),
                java.util.Map.entry("nested.inner", "-1"),
                java.util.Map.entry("nested.gap", "null"),
                java.util.Map.entry("empty", "{}"));
    }

    @Test
    void numbersJsonCannotHoldAreNull() throws IOException, InterruptedException {
        String json = new JsonObject().put("nan", Double.NaN).put("inf", Double.POSITIVE_INFINITY)
                .put("minus", Double.NEGATIVE_INFINITY).toString();
        assertThat(JsonOracle.leaves(json)).containsEntry("nan", "null").containsEntry("inf", "null")
                .containsEntry("minus", "null");
    }

    @Test
    void namesAreRequired() {
        assertThatThrownBy(() -> new JsonObject().put(null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new JsonObject().put("x", (JsonObject) null)).isInstanceOf(NullPointerException.class);
    }

    /**
     * Seeded random strings, names and values alike, from every part of the UTF-16 range: quotes,
     * backslashes, every control character, non-ASCII letters, emoji (surrogate pairs) and unpaired
     * surrogates (legal in Java, not in UTF-8). Python must read back the same code points.
     */
    @Test
    void anyStringComesBackTheSame() throws IOException, InterruptedException {
        long seed = Seeds.next();
        var random = new Random(seed);
        var strings = new ArrayList<String>();
        var json = new JsonObject();
        for (int i = 0; i < 300; i++) {
            String value = randomString(random);
            strings.add(value);
            // Unique keys: what follows the last '#' is i, so two keys never meet (a repeated key kept
            // one value, and the oracle printed one line too few, with seed -653610748058443887).
            json.put(randomString(random) + "#" + i, value);
        }
        // Python prints each value's code points, in member order.
        String read = JsonOracle.python("""
                import json, sys
                for v in json.loads(sys.stdin.read()).values():
                    print(" ".join(str(ord(c)) for c in v))
                """, json.toString());
        List<String> expected = strings.stream()
                .map(s -> s.codePoints().mapToObj(Integer::toString).collect(Collectors.joining(" ")))
                .toList();
        assertThat(read.split("\n", -1)).as(Seeds.describe(seed)).hasSize(strings.size() + 1);
        assertThat(List.of(read.split("\n", -1)).subList(0, strings.size())).as(Seeds.describe(seed))
                .isEqualTo(expected);
        assertThat(json.toString().chars().allMatch(c -> c >= 0x20 && c < 0x7F)).as("plain ASCII").isTrue();
    }

    private static String randomString(Random random) {
        int length = random.nextInt(12);
        var s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(7)) {
                case 0 -> s.append("\"\\/".charAt(random.nextInt(3)));
                case 1 -> s.append((char) random.nextInt(0x20));
                case 2 -> s.append((char) (0x20 + random.nextInt(0x5F)));
                case 3 -> s.append((char) (0x7F + random.nextInt(0x800)));
                case 4 -> s.appendCodePoint(0x1F600 + random.nextInt(80));
                case 5 -> s.append((char) (0xD800 + random.nextInt(0x800)));
                default -> s.append((char) (0xE000 + random.nextInt(0x2000)));
            }
        }
        return s.toString();
    }
}
