package dev.sluice.core.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.codec.DecodingException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.redrive.SluiceAttributes;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Resolves a message's idempotency key: attribute, else JSON Pointer into the payload, else the stable id; for a
 * message signed in form 1, from signed data only.
 */
public final class IdempotencyKeys {
    private static final ObjectMapper MAPPER = JsonCodec.defaultMapper();

    private IdempotencyKeys() {}

    /**
     * @param message the message
     * @param payload its (inflated) payload
     * @param pointer the configured JSON Pointer, if any
     * @return the key
     * @throws DecodingException when a pointer is configured but the payload has no value there
     */
    public static String resolve(IncomingMessage message, byte[] payload, Optional<JsonPointer> pointer) {
        String key = withoutPayload(message, pointer.isPresent(), false);
        return key != null ? key : atPointer(payload, pointer.orElseThrow());
    }

    /**
     * The key of a message whose signature covers its attributes: from signed data only, so that a replay under a
     * new broker message id is a duplicate. The signed {@code idempotency-key} attribute, else the JSON Pointer
     * into the (signed) payload, else the signed producer message id {@code sluice-message-id}; never the broker's
     * message id.
     *
     * @param message the message, its signature verified
     * @param payload its (inflated) payload
     * @param pointer the configured JSON Pointer, if any
     * @return the key
     * @throws DecodingException when no signed source yields a key
     */
    public static String resolveSigned(IncomingMessage message, byte[] payload, Optional<JsonPointer> pointer) {
        String key = withoutPayload(message, pointer.isPresent(), true);
        if (key != null) {
            return key;
        }
        if (pointer.isPresent()) {
            return atPointer(payload, pointer.get());
        }
        throw new DecodingException("idempotency key: a signed message takes its key from signed data only, and this one"
                + " has neither " + SluiceAttributes.IDEMPOTENCY_KEY + " nor " + SluiceAttributes.MESSAGE_ID
                + " (or configure SLUICE_IDEMPOTENCY_KEY_POINTER)");
    }

    /**
     * The key as far as it can be known without the payload, the order {@link #resolve} and {@link #resolveSigned}
     * follow (they read the payload only when this gives none): the {@code idempotency-key} attribute; else, without
     * a JSON Pointer, the signed producer id ({@code sluice-message-id}) or, unsigned, the message id. Also how a
     * claim-checked message whose payload was deleted after its success is found again.
     *
     * @param message the message
     * @param keyPointer whether a JSON Pointer into the payload gives keys (then only the attribute can)
     * @param signed whether the consumer verifies signatures (keys then come from signed data only)
     * @return the key, or null when only the payload could give it
     */
    public static @Nullable String withoutPayload(IncomingMessage message, boolean keyPointer, boolean signed) {
        String attribute = present(message, SluiceAttributes.IDEMPOTENCY_KEY);
        if (attribute != null || keyPointer) {
            return attribute;
        }
        return signed ? present(message, SluiceAttributes.MESSAGE_ID) : message.id();
    }

    private static @Nullable String present(IncomingMessage message, String attribute) {
        String value = message.attributes().get(attribute);
        return value == null || value.isBlank() ? null : value;
    }

    /**
     * The key at a JSON Pointer into a payload, as the consumer reads it (a producer that takes the key from the body
     * uses this too, so both agree).
     *
     * @param payload the (inflated) payload
     * @param pointer where the key is
     * @return the key: a scalar's text, else the JSON of the node
     * @throws DecodingException when the payload is not JSON or has no non-blank value there
     */
    public static String atPointer(byte[] payload, JsonPointer pointer) {
        JsonNode node;
        try {
            node = MAPPER.readTree(payload).at(pointer);
        } catch (IOException e) {
            throw new DecodingException("idempotency key: payload is not JSON", e);
        }
        if (node.isMissingNode() || node.isNull()) {
            throw new DecodingException("idempotency key: no value at " + pointer);
        }
        String key = node.isValueNode() ? node.asText() : node.toString();
        if (key.isBlank()) {
            throw new DecodingException("idempotency key: blank value at " + pointer);
        }
        return key;
    }
}
