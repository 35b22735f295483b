package io.github.s3flash.api.sshsig;

import io.github.s3flash.api.FlashException;

/**
 * An OpenSSH key, signature or {@code allowed_signers} file that cannot be used: malformed, of an
 * unsupported kind, encrypted, or a signature that does not verify. The message says what, where
 * (file and line, or which signature) and what to do.
 */
public final class SshSignatureException extends FlashException {
    private static final long serialVersionUID = 1L;

    public SshSignatureException(String message) {
        super(message);
    }

    public SshSignatureException(String message, Throwable cause) {
        super(message, cause);
    }
}
