package io.github.s3flash.source.s3;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The S3 source's options, with the standard AWS environment variables as fallbacks.
 *
 * @param endpoint an S3-compatible endpoint, or null for AWS's own ({@code s3.endpoint}, else
 *     {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL})
 * @param endpointFrom where {@code endpoint} came from, for messages
 * @param pathStyle {@code s3.path-style}: {@code http://host/bucket/key} instead of {@code
 *     http://bucket.host/key}; default true with an endpoint override (most S3-compatible stores
 *     want it), false on AWS
 * @param region {@code s3.region}, or null for the SDK's region chain (AWS_REGION, aws.region, the
 *     profile, IMDS) and then the bucket's own region
 * @param profile {@code s3.profile}, or null for the default chain (AWS_PROFILE, else "default")
 * @param connectTimeout {@code s3.connect-timeout}, default 10 s
 * @param readTimeout {@code s3.read-timeout}: no byte for this long is a fault (retried and resumed
 *     by the reader), default 30 s
 * @param concurrency {@code s3.concurrency}: ranged GETs the source suggests at once (the pipeline's
 *     {@code read.concurrency} overrides it), default {@link #DEFAULT_CONCURRENCY}
 */
record S3Settings(URI endpoint, String endpointFrom, boolean pathStyle, String region, String profile,
        Duration connectTimeout, Duration readTimeout, int concurrency) {

    /**
     * From the benchmark (README): with each connection capped as on a real network, 8 parallel 8 MiB
     * parts read 1.7× as fast as {@code aws s3 cp} (4: 1.2×, 1: 0.45×); on this 2-core machine's
     * CPU-bound loopback 8 still beats it 1.4×. Memory: 8 × 8 MiB in flight, plus one part.
     */
    static final int DEFAULT_CONCURRENCY = 8;

    static S3Settings from(Options options, Map<String, String> env) throws InvalidOptionException {
        URI endpoint = null;
        String from = null;
        for (var candidate : new String[][] {
                {options.get("s3.endpoint").orElse(null), "s3.endpoint", "option s3.endpoint"},
                {env.get("AWS_ENDPOINT_URL_S3"), "AWS_ENDPOINT_URL_S3", "environment variable AWS_ENDPOINT_URL_S3"},
                {env.get("AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL", "environment variable AWS_ENDPOINT_URL"}}) {
            if (candidate[0] != null && !candidate[0].isBlank()) {
                endpoint = parseEndpoint(candidate[0].trim(), candidate[1], candidate[2]);
                from = candidate[2];
                break;
            }
        }
        return new S3Settings(endpoint, from,
                options.getBoolean("s3.path-style", endpoint != null),
                options.get("s3.region").filter(r -> !r.isBlank()).orElse(null),
                options.get("s3.profile").filter(p -> !p.isBlank()).orElse(null),
                options.getPositiveDuration("s3.connect-timeout", Duration.ofSeconds(10), Duration.ofMinutes(10)),
                options.getPositiveDuration("s3.read-timeout", Duration.ofSeconds(30), Duration.ofHours(1)),
                options.getInt("s3.concurrency", DEFAULT_CONCURRENCY, 1, 256));
    }

    private static URI parseEndpoint(String text, String key, String from) throws InvalidOptionException {
        // An endpoint may carry credentials (http://key:secret@host): messages show it redacted.
        String shown = ImageLocations.redact(text);
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw new InvalidOptionException(key, from + "=" + shown + " is not a valid URL: " + e.getReason());
        }
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
            throw new InvalidOptionException(key, from + "=" + shown
                    + " is not valid: expected an http(s) URL such as https://s3.example.com:9000");
        }
        return uri;
    }

    /** Where requests go, for messages. */
    String describeEndpoint() {
        return endpoint == null ? "AWS S3" : ImageLocations.redact(endpoint) + " (" + endpointFrom + ")";
    }
}
