package dev.sluice.azure;

import dev.sluice.core.redrive.AttributeValue;
import dev.sluice.core.redrive.DeadLetter;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message received in peek-lock mode from a queue or a dead-letter sub-queue, for redrive and
 * inspection. The body is carried as bytes and never parsed.
 *
 * @param lockToken the lock to complete or abandon it with
 * @param messageId its message id
 * @param body the body bytes
 * @param applicationProperties application properties as text (Service Bus dead-letter reasons included)
 * @param sessionId the session id, or null
 * @param correlationId the correlation id, or null
 * @param contentType the content type, or null
 * @param enqueuedAt when it was enqueued where it now is
 * @param deliveryCount how often it was delivered
 * @param typedProperties application properties with their types (see {@link AttributeValue}); for each text
 *     property one with the same text, plus binary ones
 * @param systemProperties the broker's properties ({@code SequenceNumber}, {@code EnqueuedTimeUtc}, {@code Subject},
 *     ...), for an export to keep
 */
public record ReceivedMessage(String lockToken, String messageId, byte[] body, Map<String, String> applicationProperties,
                              @Nullable String sessionId, @Nullable String correlationId, @Nullable String contentType,
                              Instant enqueuedAt, int deliveryCount, Map<String, AttributeValue> typedProperties,
                              Map<String, String> systemProperties) {
    /** Validates and copies; text and typed properties are made to agree. */
    public ReceivedMessage {
        Objects.requireNonNull(lockToken, "lockToken");
        Objects.requireNonNull(messageId, "messageId");
        body = Objects.requireNonNull(body, "body").clone();
        typedProperties = Collections.unmodifiableMap(AttributeValue.retype(applicationProperties, typedProperties));
        applicationProperties = Map.copyOf(applicationProperties);
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
        systemProperties = Collections.unmodifiableMap(new LinkedHashMap<>(systemProperties));
    }

    /**
     * A message with text properties only and no system properties.
     *
     * @param lockToken the lock
     * @param messageId its message id
     * @param body the body bytes
     * @param applicationProperties application properties as text
     * @param sessionId the session id, or null
     * @param correlationId the correlation id, or null
     * @param contentType the content type, or null
     * @param enqueuedAt when it was enqueued
     * @param deliveryCount how often it was delivered
     */
    public ReceivedMessage(String lockToken, String messageId, byte[] body, Map<String, String> applicationProperties,
                           @Nullable String sessionId, @Nullable String correlationId, @Nullable String contentType,
                           Instant enqueuedAt, int deliveryCount) {
        this(lockToken, messageId, body, applicationProperties, sessionId, correlationId, contentType, enqueuedAt,
                deliveryCount, Map.of(), Map.of());
    }

    /**
     * @param handle the redrive source's handle for it
     * @return it as a dead letter: typed properties, session id, content type, and the system properties with the
     *     correlation id among them
     */
    public DeadLetter toDeadLetter(String handle) {
        Map<String, String> system = new LinkedHashMap<>(systemProperties);
        if (correlationId != null) {
            system.put(DeadLetter.CORRELATION_ID, correlationId);
        }
        return new DeadLetter(handle, messageId, body, applicationProperties, enqueuedAt, typedProperties, sessionId,
                contentType, system);
    }

    /** @return a copy of the body */
    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String toString() {
        return "ReceivedMessage[id=" + messageId + ", session=" + sessionId + ", bytes=" + body.length + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceivedMessage other && lockToken.equals(other.lockToken) && messageId.equals(other.messageId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lockToken, messageId);
    }
}
