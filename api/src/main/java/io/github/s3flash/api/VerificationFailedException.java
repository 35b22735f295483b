package io.github.s3flash.api;

/**
 * The written image is not the expected one: its SHA-256 differs from the expected hash, or the
 * bytes read back from the target differ from those written. The target holds a bad image.
 */
public final class VerificationFailedException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final String expected;
    private final String actual;

    public VerificationFailedException(String message, String expected, String actual) {
        super(message);
        this.expected = expected;
        this.actual = actual;
    }

    public String expected() {
        return expected;
    }

    public String actual() {
        return actual;
    }
}
