package dev.sluice.core.archive;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Objects;

/**
 * An operator's Ed25519 private key with its public half. It stays with its owner.
 *
 * @param operator the operator's name
 * @param privateKey the private key
 * @param publicKey the matching public key
 */
public record SigningKey(String operator, PrivateKey privateKey, java.security.PublicKey publicKey) {
    /** Validates. */
    public SigningKey {
        OperatorKeys.checkName(operator);
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(publicKey, "publicKey");
    }

    /** @return the public identity: name and public key */
    public OperatorKey identity() {
        return new OperatorKey(operator, publicKey);
    }

    /** @return the public key's fingerprint */
    public String fingerprint() {
        return OperatorKey.fingerprint(publicKey);
    }

    /** @param data what to sign @return the Ed25519 signature */
    public byte[] sign(byte[] data) {
        try {
            Signature signer = Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the Ed25519 key of " + operator, e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + operator + ", " + fingerprint() + "]";
    }
}
