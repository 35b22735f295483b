package io.github.s3flash.api;

/**
 * Where in a flash a source's request was made, which decides what a missing or shorter object
 * means (see {@link SourceRequest}).
 */
public enum RequestStage {
    /** Opening the image, before it is pinned to a version: a missing object was never there. */
    OPENING,
    /** Reading a range of the image pinned at open: a missing or shorter object changed during the flash. */
    READING
}
