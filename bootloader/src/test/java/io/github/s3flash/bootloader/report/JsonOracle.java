package io.github.s3flash.bootloader.report;

import io.github.s3flash.testkit.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's json module as the oracle for the JSON this module writes: it parses the text strictly
 * (no NaN, no trailing garbage) and lists every leaf as {@code a.b.c=<value as JSON>}, so tests
 * compare values read back by an independent parser, not the text the writer produced.
 */
public final class JsonOracle {

    private static final String FLATTEN = """
            import json, sys
            def strict(name):
                raise ValueError("not JSON: " + name)
            text = sys.stdin.read()
            value = json.loads(text, parse_constant=strict)
            def walk(path, v):
                if isinstance(v, dict) and v:
                    for k, x in v.items():
                        walk(path + [k], x)
                else:
                    print(".".join(path) + "=" + json.dumps(v, ensure_ascii=True))
            walk([], value)
            """;

    private JsonOracle() {}

    /** Parses one JSON object; fails unless Python's json module accepts exactly this text. */
    public static Map<String, String> leaves(String json) throws IOException, InterruptedException {
        var leaves = new LinkedHashMap<String, String>();
        for (String line : python(FLATTEN, json).split("\n")) {
            int eq = line.indexOf('=');
            leaves.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return leaves;
    }

    /** Runs a Python program over JSON text on stdin and returns what it printed. */
    public static String python(String program, String json) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("json-oracle");
        try {
            Path in = Files.writeString(dir.resolve("in.json"), json, StandardCharsets.UTF_8);
            Path out = dir.resolve("out.txt");
            Cli.run(List.of("python3", "-c", program), in, out);
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
