package dev.sluice.core.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Small text helpers, among them the one way text taken from errors and messages becomes an
 * attribute value that every provider accepts: {@link #redacted} (bounded, redacted, cut),
 * {@link #providerSafe} (only characters every provider accepts) and {@link #attributeValue} (both).
 */
public final class Texts {
    /** Stands in for a character a provider rejects: visible, and valid on every provider. */
    public static final char REPLACEMENT = '\uFFFD';

    /** Input read beyond the kept length before redacting, so a secret near the cut is still recognised. */
    private static final int REDACTION_LOOKAHEAD = 8;

    private Texts() {}

    /**
     * Whether SQS message attributes and bodies accept {@code codePoint}: the XML 1.0 characters
     * {@code #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF}. Service Bus accepts a superset
     * (AMQP strings hold any Unicode scalar value), so this is the set every provider accepts.
     *
     * @param codePoint a code point
     * @return whether every provider accepts it
     */
    public static boolean providerSafe(int codePoint) {
        return codePoint == 0x9 || codePoint == 0xA || codePoint == 0xD
                || (codePoint >= 0x20 && codePoint <= 0xD7FF)
                || (codePoint >= 0xE000 && codePoint <= 0xFFFD)
                || (codePoint >= 0x10000 && codePoint <= 0x10FFFF);
    }

    /**
     * Replaces every character a provider rejects in an attribute value (controls other than tab, line feed
     * and carriage return, U+FFFE, U+FFFF, unpaired surrogates) with {@link #REPLACEMENT}; surrogate pairs
     * (characters beyond U+FFFF) are kept.
     *
     * @param text any text
     * @return the text, safe for every provider; the same instance when it already was
     */
    public static String providerSafe(String text) {
        int first = firstUnsafe(text);
        if (first < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length()).append(text, 0, first);
        for (int i = first; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            // codePointAt returns an unpaired surrogate as itself, which providerSafe(int) rejects
            if (providerSafe(cp)) {
                sb.appendCodePoint(cp);
            } else {
                sb.append(REPLACEMENT);
            }
            i += width;
        }
        return sb.toString();
    }

    private static int firstUnsafe(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (!providerSafe(cp)) {
                return i;
            }
            i += Character.charCount(cp);
        }
        return -1;
    }

    /**
     * Redacts {@code text} (see {@link Redactor}) and cuts it to {@code maxBytes} UTF-8 bytes. Only a bounded
     * prefix of a long text is redacted (cheap, bounded work); that prefix ends at a whitespace, so a secret
     * cut by it is dropped rather than kept unrecognised.
     *
     * @param text any text
     * @param maxBytes the limit
     * @return the redacted text, at most {@code maxBytes} UTF-8 bytes
     */
    public static String redacted(String text, int maxBytes) {
        String bounded = truncateUtf8(text, REDACTION_LOOKAHEAD * maxBytes);
        if (bounded.length() < text.length()) {
            int lastSpace = bounded.length() - 1;
            while (lastSpace >= 0 && !Character.isWhitespace(bounded.charAt(lastSpace))) {
                lastSpace--;
            }
            bounded = lastSpace >= 0 ? bounded.substring(0, lastSpace) : "";
        }
        return truncateUtf8(Redactor.standard().redact(bounded), maxBytes);
    }

    /**
     * An attribute value every provider accepts: {@link #providerSafe(String)}, then cut to {@code maxBytes}.
     *
     * @param text any text
     * @param maxBytes the limit in UTF-8 bytes
     * @return the value
     */
    public static String attributeValue(String text, int maxBytes) {
        return truncateUtf8(providerSafe(text), maxBytes);
    }

    /**
     * A redacted attribute value every provider accepts: redacted first (so replacing characters never hides
     * a secret from the redactor), then made safe, then cut to {@code maxBytes}.
     *
     * @param text any text, e.g. an error message
     * @param maxBytes the limit in UTF-8 bytes
     * @return the value
     */
    public static String redactedAttributeValue(String text, int maxBytes) {
        return attributeValue(redacted(text, maxBytes), maxBytes);
    }

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
}
