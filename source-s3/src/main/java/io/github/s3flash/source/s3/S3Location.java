package io.github.s3flash.source.s3;

import io.github.s3flash.api.ImageNotFoundException;
import java.net.URI;

/**
 * A bucket and key parsed from {@code s3://bucket/key} (a URI that names no object is not found). The original's bare {@code bucket/key} (as
 * in {@code source=} on the kernel command line) means {@code s3://bucket/key}; the bootloader turns
 * it into that URI before a source is chosen.
 */
record S3Location(String bucket, String key) {

    static S3Location of(URI uri) throws ImageNotFoundException {
        if (!"s3".equalsIgnoreCase(uri.getScheme()) || uri.isOpaque()) {
            throw new ImageNotFoundException("'" + uri + "' is not an S3 location: write s3://bucket/key");
        }
        // The authority, not the host: bucket names with dots or underscores are not always valid hosts.
        String bucket = uri.getRawAuthority();
        String path = uri.getPath();
        if (bucket == null || bucket.isEmpty()) {
            throw new ImageNotFoundException("'" + uri + "' names no bucket: write s3://bucket/key");
        }
        if (path == null || path.length() <= 1) {
            throw new ImageNotFoundException("'" + uri + "' names no object key: write s3://bucket/key");
        }
        if (path.endsWith("/")) {
            throw new ImageNotFoundException("'" + uri + "' ends with '/', a prefix, not an object: name the image object");
        }
        return new S3Location(bucket, path.substring(1));
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key;
    }
}
