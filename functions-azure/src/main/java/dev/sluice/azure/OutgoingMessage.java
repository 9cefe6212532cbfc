package dev.sluice.azure;

import dev.sluice.core.redrive.AttributeValue;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A message Sluice sends to Service Bus: a re-published retry, a parked dead letter or a redriven copy.
 * The body travels unchanged; Sluice's state rides in application properties.
 *
 * @param messageId the new copy's message id (never the original's: duplicate detection would drop it)
 * @param body the body bytes, unchanged
 * @param applicationProperties application properties
 * @param sessionId the session id, kept so session order holds; null for none
 * @param correlationId the correlation id, or null
 * @param contentType the content type, or null
 * @param scheduledEnqueueTime when the copy becomes visible, or null for at once
 * @param typedProperties the types of properties that are not strings (a redriven copy keeps its original's);
 *     a property whose text differs from {@code applicationProperties} is sent as the string
 */
public record OutgoingMessage(String messageId, byte[] body, Map<String, String> applicationProperties,
                              @Nullable String sessionId, @Nullable String correlationId, @Nullable String contentType,
                              @Nullable Instant scheduledEnqueueTime, Map<String, AttributeValue> typedProperties) {
    /** Validates and copies; text and typed properties are made to agree. */
    public OutgoingMessage {
        Objects.requireNonNull(messageId, "messageId");
        body = Objects.requireNonNull(body, "body").clone();
        typedProperties = Collections.unmodifiableMap(AttributeValue.retype(applicationProperties, typedProperties));
        applicationProperties = Map.copyOf(applicationProperties);
    }

    /**
     * A message whose properties are all strings.
     *
     * @param messageId the copy's message id
     * @param body the body bytes
     * @param applicationProperties application properties
     * @param sessionId the session id, or null
     * @param correlationId the correlation id, or null
     * @param contentType the content type, or null
     * @param scheduledEnqueueTime when the copy becomes visible, or null
     */
    public OutgoingMessage(String messageId, byte[] body, Map<String, String> applicationProperties, @Nullable String sessionId,
                           @Nullable String correlationId, @Nullable String contentType, @Nullable Instant scheduledEnqueueTime) {
        this(messageId, body, applicationProperties, sessionId, correlationId, contentType, scheduledEnqueueTime, Map.of());
    }

    /** @return a copy of the body */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** @return the scheduled enqueue time, if any */
    public Optional<Instant> scheduled() {
        return Optional.ofNullable(scheduledEnqueueTime);
    }

    @Override
    public String toString() {
        // never the body
        return "OutgoingMessage[id=" + messageId + ", session=" + sessionId + ", bytes=" + body.length
                + ", scheduled=" + scheduledEnqueueTime + ", properties=" + applicationProperties.keySet() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutgoingMessage other && messageId.equals(other.messageId);
    }

    @Override
    public int hashCode() {
        return messageId.hashCode();
    }
}
