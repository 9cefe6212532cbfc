package dev.sluice.core.archive;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An operator's public Ed25519 key: the name given when the key was made, and the key. Its identity is the name plus
 * the {@linkplain #fingerprint() fingerprint}.
 *
 * @param operator the operator's name
 * @param publicKey the Ed25519 public key
 */
public record OperatorKey(String operator, PublicKey publicKey) {
    /** Validates. */
    public OperatorKey {
        OperatorKeys.checkName(operator);
        Objects.requireNonNull(publicKey, "publicKey");
        if (!"Ed25519".equals(publicKey.getAlgorithm()) && !"EdDSA".equals(publicKey.getAlgorithm())) {
            throw new IllegalArgumentException("not an Ed25519 key: " + publicKey.getAlgorithm());
        }
    }

    /** @return the SHA-256 of the key's encoded (X.509 SubjectPublicKeyInfo) bytes, lower-case hex */
    public String fingerprint() {
        return fingerprint(publicKey);
    }

    /** @param publicKey a public key @return the SHA-256 of its encoded bytes, lower-case hex */
    public static String fingerprint(PublicKey publicKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /**
     * @param data what was signed
     * @param signature an Ed25519 signature
     * @return whether the signature over {@code data} verifies with this key
     */
    public boolean verifies(byte[] data, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(publicKey);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return operator + " (" + fingerprint() + ")";
    }
}
