package io.github.s3flash.source.http;

import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code http.*} options.
 *
 * @param connectTimeout longest wait for a TCP (and TLS) connection ({@code http.connect-timeout})
 * @param readTimeout longest wait for response headers and then for each next piece of the body
 *     ({@code http.read-timeout}); a stalled connection fails after it and the range is resumed
 * @param headers extra request headers ({@code http.header.NAME=VALUE}); their values are secrets
 *     and never appear in messages or logs
 * @param caBundle PEM certificates trusted in addition to the JDK's ({@code http.ca-bundle})
 * @param version the HTTP version asked for ({@code http.version}, 1.1 or 2)
 * @param concurrency ranges read at once that this source suggests ({@code http.concurrency})
 * @param maxRedirects redirects followed before giving up ({@code http.max-redirects})
 * @param rangeReads whether ranged reads are used when the server offers them ({@code
 *     http.range-reads}); false reads one stream, for servers or proxies that mishandle ranges
 */
record HttpSettings(Duration connectTimeout, Duration readTimeout, Map<String, String> headers,
        Optional<Path> caBundle, HttpClient.Version version, int concurrency, int maxRedirects,
        boolean rangeReads) {

    static final String HEADER_PREFIX = "http.header.";

    /**
     * Parallel ranges help where one connection is capped (latency, per-connection limits of CDNs
     * and object stores); on loopback, CPU-bound, one stream is as fast (bench/http-bench.sh, see
     * the README). Four keeps the memory for parts small ({@code read.part-size} × 5).
     */
    static final int DEFAULT_CONCURRENCY = 4;

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * Headers this source sets itself (pinning, ranges) or that the JDK client owns; a user value would
     * silently break pinning or byte exactness (a compressed transfer encoding), or be refused by the
     * client mid-flash.
     */
    private static final Set<String> RESERVED = Set.of("range", "if-match", "if-none-match", "if-range",
            "if-modified-since", "if-unmodified-since", "host", "connection", "content-length", "expect",
            "upgrade", "te", "transfer-encoding", "accept-encoding");

    HttpSettings {
        headers = Map.copyOf(headers);
    }

    static HttpSettings from(Options options) throws InvalidOptionException {
        var headers = new TreeMap<String, String>(String.CASE_INSENSITIVE_ORDER);
        for (var entry : options.values().entrySet()) {
            if (!entry.getKey().startsWith(HEADER_PREFIX)) {
                continue;
            }
            String name = entry.getKey().substring(HEADER_PREFIX.length());
            // Only the key is named in these messages: the value may be a credential.
            if (!TOKEN.matcher(name).matches()) {
                throw new InvalidOptionException(entry.getKey(), "option " + entry.getKey() + " does not name a valid HTTP header;"
                        + " write it as http.header.NAME=VALUE");
            }
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new InvalidOptionException(entry.getKey(), "option " + entry.getKey() + " sets a header the http source manages"
                        + " itself (ranges, version pinning, connection); remove the option");
            }
            if (entry.getValue().indexOf('\r') >= 0 || entry.getValue().indexOf('\n') >= 0) {
                throw new InvalidOptionException(entry.getKey(), "option " + entry.getKey() + " has a line break in its value;"
                        + " a header value must be one line");
            }
            if (headers.put(name, entry.getValue()) != null) {
                throw new InvalidOptionException(entry.getKey(), "header " + name + " is given twice (options differ only in case);"
                        + " give it once");
            }
        }
        String version = options.get("http.version", "1.1").trim();
        HttpClient.Version httpVersion = switch (version) {
            case "1.1" -> HttpClient.Version.HTTP_1_1;
            case "2" -> HttpClient.Version.HTTP_2;
            default -> throw Options.invalid("http.version", version, "1.1 or 2");
        };
        return new HttpSettings(
                options.getPositiveDuration("http.connect-timeout", Duration.ofSeconds(10), Duration.ofMinutes(10)),
                options.getPositiveDuration("http.read-timeout", Duration.ofSeconds(30), Duration.ofHours(1)),
                headers,
                options.get("http.ca-bundle").filter(s -> !s.isBlank()).map(Path::of),
                httpVersion,
                options.getInt("http.concurrency", DEFAULT_CONCURRENCY, 1, 64),
                options.getInt("http.max-redirects", 10, 0, 100),
                options.getBoolean("http.range-reads", true));
    }

    /** The header names, for messages: the values are never shown. */
    String headerNames() {
        return headers.isEmpty() ? "none" : String.join(", ", new TreeMap<>(headers).keySet());
    }
}
