package dev.sluice.aws.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Idempotency record ids as Powertools for AWS Lambda (Java) v1 derives them:
 * {@code <function name>.<handler name>#<md5 hex of the key>}, where the key is the text of the value its
 * JMESPath selected (a string's text, a number's digits, an object's or array's compact JSON) — the same
 * text Sluice takes from the JSON Pointer that selects the same value.
 */
public final class PowertoolsKeys {
    private PowertoolsKeys() {}

    /**
     * @param prefix {@code <function name>.<handler name>}
     * @param key Sluice's idempotency key
     * @return the Powertools record id
     */
    public static String recordId(String prefix, String key) {
        return prefix + "#" + md5Hex(key);
    }

    /**
     * @param text text
     * @return its MD5, as Powertools formats it ({@code %032x})
     */
    public static String md5Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            return String.format("%032x", new BigInteger(1, digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by the Java platform", e);
        }
    }
}
