package dev.sluice.core.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small text and hashing helpers. */
public final class Texts {
    private Texts() {}

    /**
     * Cuts {@code text} to at most {@code maxBytes} UTF-8 bytes without splitting a character.
     *
     * @param text the text
     * @param maxBytes the limit
     * @return the text, or its longest prefix that fits
     */
    public static String truncateUtf8(String text, int maxBytes) {
        if (text.length() * 3 <= maxBytes || text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer out = ByteBuffer.allocate(maxBytes);
        CharBuffer in = CharBuffer.wrap(text);
        encoder.encode(in, out, true);
        return text.substring(0, in.position());
    }

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
