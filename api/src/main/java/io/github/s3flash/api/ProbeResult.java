package io.github.s3flash.api;

/** A codec's verdict on the first bytes of an image. */
public enum ProbeResult {
    /** These bytes are not in this codec's format. */
    NO,
    /** These bytes may be in this codec's format (it has no magic number, or the head is too short). */
    POSSIBLY,
    /** These bytes carry this codec's magic number. */
    CERTAINLY
}
