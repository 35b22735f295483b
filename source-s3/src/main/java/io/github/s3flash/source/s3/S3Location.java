package io.github.s3flash.source.s3;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageNotFoundException;
import java.net.URI;

/**
 * A bucket and key parsed from {@code s3://bucket/key} (a URI that names no object is not found). The original's bare {@code bucket/key} (as
 * in {@code source=} on the kernel command line) means {@code s3://bucket/key}; the bootloader turns
 * it into that URI before a source is chosen.
 */
record S3Location(String bucket, String key) {

    static S3Location of(URI uri) throws ImageNotFoundException {
        String shown = ImageLocations.redact(uri);
        if (!"s3".equalsIgnoreCase(uri.getScheme()) || uri.isOpaque()) {
            throw new ImageNotFoundException("'" + shown + "' is not an S3 location: write s3://bucket/key");
        }
        // Credentials come from the AWS chain, never from the URI; a query or fragment would be taken
        // for part of the key by some and dropped by others: refused rather than guessed at.
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            throw new ImageNotFoundException("'" + shown + "' has credentials in the URI, which are not used: give"
                    + " them the AWS way (environment, profile, instance role) and write s3://bucket/key");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ImageNotFoundException("'" + shown + "' has a query or fragment, which an s3:// location cannot"
                    + " have: write s3://bucket/key (percent-encode '?' and '#' in a key)");
        }
        // The authority, not the host: bucket names with dots or underscores are not always valid hosts.
        String bucket = uri.getRawAuthority();
        String path = uri.getPath();
        if (bucket == null || bucket.isEmpty()) {
            throw new ImageNotFoundException("'" + shown + "' names no bucket: write s3://bucket/key");
        }
        if (path == null || path.length() <= 1) {
            throw new ImageNotFoundException("'" + shown + "' names no object key: write s3://bucket/key");
        }
        if (path.endsWith("/")) {
            throw new ImageNotFoundException("'" + shown + "' ends with '/', a prefix, not an object: name the image object");
        }
        return new S3Location(bucket, path.substring(1));
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
