package dev.sluice.core.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one digest Sluice uses for payload fingerprints, deterministic ids and deduplication ids,
 * so that the pipeline and every adapter derive them the same way.
 */
public final class Hashes {
    private Hashes() {}

    /**
     * @param bytes data
     * @return the lowercase hex SHA-256 of {@code bytes}
     */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256(bytes));
    }

    /**
     * @param bytes data
     * @return the SHA-256 digest of {@code bytes}
     */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the Java platform", e);
        }
    }
}
