package dev.sluice.core.security;

import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.SluiceAttributes;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures over a message's body bytes as sent, in the {@code sluice-signature} and
 * {@code sluice-key-id} attributes. Producers sign with the active key; consumers accept any known key,
 * so keys rotate without a flag day. A missing or bad signature makes the message
 * {@link FailureKind#SIGNATURE_INVALID}: quarantined, never decoded.
 */
public final class MessageSignatures {
    private static final String ALGORITHM = "HmacSHA256";

    private final SigningKeys keys;

    private MessageSignatures(SigningKeys keys) {
        this.keys = keys;
    }

    /**
     * @param keys the keys
     * @return a signer and verifier over {@code keys}
     */
    public static MessageSignatures with(SigningKeys keys) {
        return new MessageSignatures(Objects.requireNonNull(keys, "keys"));
    }

    /** The result of a verification. */
    public sealed interface Verification {
        /** The signature is valid. @param keyId the key that made it */
        record Valid(String keyId) implements Verification {}

        /** The signature is missing or invalid. @param reason why, without secrets */
        record Invalid(String reason) implements Verification {}
    }

    /**
     * @param body the body bytes exactly as they will be sent
     * @return the attributes to add: signature and key id
     */
    public Map<String, String> sign(byte[] body) {
        String keyId = keys.activeKeyId();
        byte[] mac = hmac(keys.secret(keyId).orElseThrow(), body);
        return Map.of(SluiceAttributes.SIGNATURE, Base64.getEncoder().encodeToString(mac), SluiceAttributes.KEY_ID, keyId);
    }

    /**
     * Compares in constant time.
     *
     * @param body the body bytes as received
     * @param attributes the message's attributes
     * @return valid, or invalid with a reason
     */
    public Verification verify(byte[] body, Map<String, String> attributes) {
        String signature = attributes.get(SluiceAttributes.SIGNATURE);
        String keyId = attributes.get(SluiceAttributes.KEY_ID);
        if (signature == null || signature.isBlank()) {
            return new Verification.Invalid("signature missing");
        }
        if (keyId == null || keyId.isBlank()) {
            return new Verification.Invalid("key id missing");
        }
        byte[] secret = keys.secret(keyId).orElse(null);
        if (secret == null) {
            return new Verification.Invalid("unknown key id '" + keyId + "'");
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature.trim());
        } catch (IllegalArgumentException e) {
            return new Verification.Invalid("signature is not base64");
        }
        return MessageDigest.isEqual(hmac(secret, body), given)
                ? new Verification.Valid(keyId)
                : new Verification.Invalid("signature does not match the body (key id '" + keyId + "')");
    }

    private static byte[] hmac(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required by the Java platform", e);
        }
    }
}
