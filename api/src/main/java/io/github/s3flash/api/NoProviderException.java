package io.github.s3flash.api;

/**
 * No installed provider can serve the request: an unknown URI scheme, an unknown codec name, an
 * image no codec recognises, a target no sink accepts. The message lists what is installed.
 */
public final class NoProviderException extends FlashException {
    private static final long serialVersionUID = 1L;

    public NoProviderException(String message) {
        super(message);
    }
}
