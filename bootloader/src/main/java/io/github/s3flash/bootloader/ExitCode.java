package io.github.s3flash.bootloader;

/** The CLI's exit codes, documented in the README and in {@code s3flash --help}. */
public final class ExitCode {
    /** The image is written, forced to stable storage and verified. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug): the message and stack trace say where. */
    public static final int INTERNAL = 1;
    /** Bad usage: unknown or malformed options. Nothing was opened. */
    public static final int USAGE = 2;
    /** Bad input refused before the first write: the target is unchanged. */
    public static final int REFUSED = 3;
    /** Failed after writing began: the target holds a partial image; flash again. */
    public static final int FAILED_AFTER_WRITE = 4;
    /** The written image's SHA-256 (or read-back) did not match. */
    public static final int VERIFICATION_FAILED = 5;

    private ExitCode() {}

    static final String HELP = """
            Exit codes:
              0  ok: written, forced to stable storage, verified
              1  internal error (a bug; please report it)
              2  bad usage
              3  refused before writing: the target is unchanged
              4  failed after writing began: the target holds a partial image, flash again
              5  verification failed: the written image's SHA-256 does not match""";
}
