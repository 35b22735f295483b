package io.github.s3flash.testkit;

/**
 * An image and its compressed form, made by a stock CLI, for corrupt-input tests.
 *
 * @param name how it was made (the command line), named in failure messages
 * @param checksummed whether the format's checksums guard the data, so that any corruption that
 *     decodes without error must decode to the original
 */
public record CompressedSample(String name, byte[] image, byte[] compressed, boolean checksummed) {}
