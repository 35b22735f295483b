package io.github.s3flash.bootloader;

/** The CLI's exit codes, documented in the README and in {@code s3flash --help}. */
public final class ExitCode {
    /**
     * The image is written, forced to stable storage and verified. A failure after that (closing the
     * target or the source) is printed as a warning and does not change this.
     */
    public static final int OK = 0;
    /** An unexpected internal error (a bug): the message and stack trace say where. */
    public static final int INTERNAL = 1;
    /** Bad usage: unknown or malformed options. Nothing was opened. */
    public static final int USAGE = 2;
    /**
     * Refused before the first write: bad input, or a target that refused the first write (boot
     * mode's gate, once the watchdog restores): the target is unchanged.
     */
    public static final int REFUSED = 3;
    /** Failed after writing began: the target holds a partial image; flash again. */
    public static final int FAILED_AFTER_WRITE = 4;
    /** The written image's SHA-256 (or read-back) did not match. */
    public static final int VERIFICATION_FAILED = 5;
    /** {@code s3flash providers --strict}: a provider failed to load, so the installation is incomplete. */
    public static final int PROVIDER_FAILED = 7;

    private ExitCode() {}

    static final String HELP = """
            Exit codes:
              0  ok: written, forced to stable storage, verified (a later close error is a warning)
              1  internal error (a bug; please report it)
              2  bad usage
              3  refused before writing, or the first write refused: the target is unchanged
              4  failed after writing began: the target holds a partial image, flash again
              5  verification failed: the written image's SHA-256 does not match
              7  providers --strict: a provider failed to load""";
}
