package dev.sluice.core.codec;

import java.util.Map;

/**
 * Turns payload bytes into a message body and back. A decode failure makes the message poison: it is
 * dead-lettered at once and never retried.
 *
 * @param <T> the body type
 */
public interface MessageCodec<T> {
    /**
     * @param payload the body bytes, already inflated when they were gzip-encoded
     * @param attributes the message's attributes (e.g. {@code message-type}, {@code schema-version})
     * @return the decoded body, never null
     * @throws DecodingException when the payload cannot be decoded
     */
    T decode(byte[] payload, Map<String, String> attributes) throws DecodingException;

    /**
     * @param body a body
     * @return its payload bytes
     */
    byte[] encode(T body);
}
