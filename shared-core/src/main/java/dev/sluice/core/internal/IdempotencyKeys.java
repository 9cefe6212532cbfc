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

/** Resolves a message's idempotency key: attribute, else JSON Pointer into the payload, else the stable id. */
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
        String attribute = message.attributes().get(SluiceAttributes.IDEMPOTENCY_KEY);
        if (attribute != null && !attribute.isBlank()) {
            return attribute;
        }
        if (pointer.isPresent()) {
            JsonNode node;
            try {
                node = MAPPER.readTree(payload).at(pointer.get());
            } catch (IOException e) {
                throw new DecodingException("idempotency key: payload is not JSON", e);
            }
            if (node.isMissingNode() || node.isNull()) {
                throw new DecodingException("idempotency key: no value at " + pointer.get());
            }
            String key = node.isValueNode() ? node.asText() : node.toString();
            if (key.isBlank()) {
                throw new DecodingException("idempotency key: blank value at " + pointer.get());
            }
            return key;
        }
        return message.id();
    }
}
