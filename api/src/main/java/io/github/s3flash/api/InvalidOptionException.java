package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

/**
 * An option's value cannot be used: not a number, out of range, an unknown word, a malformed URL.
 * The same outcome whichever provider reads the option (the CLI: bad usage, exit 2). The message
 * names the key; it quotes the value only where the value cannot be a secret.
 */
public final class InvalidOptionException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key the option's key, e.g. {@code read.concurrency}
     * @param message the whole message, naming the key and what is valid
     */
    public InvalidOptionException(String key, String message) {
        this(key, message, null);
    }

    public InvalidOptionException(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = requireNonNull(key, "key");
    }

    /** The option's key. */
    public String key() {
        return key;
    }
}
