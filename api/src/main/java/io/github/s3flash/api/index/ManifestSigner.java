package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.sshsig.SshPrivateKey;
import io.github.s3flash.api.sshsig.SshSignature;
import java.io.IOException;

/**
 * Signs a manifest's bytes in namespace {@link SshSignature#IMAGE_NAMESPACE}, as {@code ssh-keygen
 * -Y sign -n s3flash-image} would: with a private key here, or by handing the bytes to whatever holds
 * the key (an agent, an HSM). The writer checks the signature over the manifest before embedding it.
 */
@FunctionalInterface
public interface ManifestSigner {

    SshSignature sign(byte[] manifest) throws IOException;

    /** Signs with an unencrypted OpenSSH private key. */
    static ManifestSigner of(SshPrivateKey key) {
        requireNonNull(key, "key");
        return manifest -> key.sign(manifest, SshSignature.IMAGE_NAMESPACE);
    }
}
