/**
 * OpenSSH signatures, as {@code ssh-keygen -Y sign} makes and {@code ssh-keygen -Y verify} checks
 * them, with nothing but the JDK: what signs and trusts indexed images.
 *
 * <p>Start with {@link io.github.s3flash.api.sshsig.SshSignature}: parse an armored signature and
 * verify it over a message in a namespace ({@value io.github.s3flash.api.sshsig.SshSignature#IMAGE_NAMESPACE}
 * for images). {@link io.github.s3flash.api.sshsig.AllowedSigners} reads an {@code allowed_signers}
 * file and says whether a key may sign for a principal at a time; {@link
 * io.github.s3flash.api.sshsig.SshPrivateKey} reads an unencrypted OpenSSH private key and signs;
 * {@link io.github.s3flash.api.sshsig.SshPublicKey} is a public key in its wire form. Every refusal
 * (a malformed file, a key that cannot be used, a signature that does not verify) is an {@link
 * io.github.s3flash.api.sshsig.SshSignatureException}. Library users rarely call this package
 * directly: {@code io.github.s3flash.api.index.TrustPolicy} applies it to an image's manifest.
 */
package io.github.s3flash.api.sshsig;
