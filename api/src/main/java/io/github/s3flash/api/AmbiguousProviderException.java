package io.github.s3flash.api;

/**
 * More than one provider claims the request (two sources for one scheme, two codecs certain of the
 * same bytes). The message names both and the option that picks one.
 */
public final class AmbiguousProviderException extends FlashException {
    private static final long serialVersionUID = 1L;

    public AmbiguousProviderException(String message) {
        super(message);
    }
}
