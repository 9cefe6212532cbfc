package dev.sluice.core.redrive;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A message received from a dead-letter (or parking) queue, held by the source until it is removed or
 * released. The body is carried as bytes and never parsed. Everything a provider says about the message is kept,
 * so an export is a complete backup and a redriven copy keeps what the original had: attributes with their data
 * types (binary ones included), the FIFO group or session id, the content type and the provider's system
 * properties.
 *
 * @param handle the source's handle to remove or release it (e.g. an SQS receipt handle)
 * @param providerMessageId the provider's id of the dead letter
 * @param body the body bytes
 * @param attributes the text of every non-binary attribute, envelope included (what filters and the envelope read)
 * @param enqueuedAt when it entered the dead-letter queue, if known
 * @param typedAttributes every attribute with its data type; for each text attribute one with the same text
 * @param groupId the SQS FIFO message group or the Service Bus session id, or null
 * @param contentType the content type (Service Bus), or null
 * @param systemProperties the provider's system properties (e.g. SQS {@code SentTimestamp}, Service Bus
 *     {@code SequenceNumber}), for the record; a copy does not carry them
 */
public record DeadLetter(String handle, String providerMessageId, byte[] body, Map<String, String> attributes,
                         Instant enqueuedAt, Map<String, AttributeValue> typedAttributes, @Nullable String groupId,
                         @Nullable String contentType, Map<String, String> systemProperties) {
    /** The system property holding a Service Bus message's correlation id; a redriven copy keeps it. */
    public static final String CORRELATION_ID = "CorrelationId";

    /** Validates and copies; text and typed attributes are made to agree (text wins, typed keeps binary ones). */
    public DeadLetter {
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(providerMessageId, "providerMessageId");
        body = Objects.requireNonNull(body, "body").clone();
        Map<String, AttributeValue> typed = AttributeValue.retype(Objects.requireNonNull(attributes, "attributes"),
                Objects.requireNonNull(typedAttributes, "typedAttributes"));
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        typedAttributes = Collections.unmodifiableMap(typed);
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
        systemProperties = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(systemProperties,
                "systemProperties")));
    }

    /**
     * A dead letter with text attributes only and no group, content type or system properties.
     *
     * @param handle the source's handle
     * @param providerMessageId the provider's id
     * @param body the body bytes
     * @param attributes text attributes
     * @param enqueuedAt when it entered the dead-letter queue
     */
    public DeadLetter(String handle, String providerMessageId, byte[] body, Map<String, String> attributes, Instant enqueuedAt) {
        this(handle, providerMessageId, body, attributes, enqueuedAt, Map.of(), null, null, Map.of());
    }

    /**
     * @param handle the source's handle
     * @param providerMessageId the provider's id
     * @param body the body bytes
     * @param typedAttributes every attribute with its type (the text attributes are derived)
     * @param enqueuedAt when it entered the dead-letter queue
     * @param groupId the FIFO group or session id, or null
     * @param contentType the content type, or null
     * @param systemProperties the provider's system properties
     * @return the dead letter
     */
    public static DeadLetter typed(String handle, String providerMessageId, byte[] body, Map<String, AttributeValue> typedAttributes,
                                   Instant enqueuedAt, @Nullable String groupId, @Nullable String contentType,
                                   Map<String, String> systemProperties) {
        return new DeadLetter(handle, providerMessageId, body, AttributeValue.textOf(typedAttributes), enqueuedAt,
                typedAttributes, groupId, contentType, systemProperties);
    }

    /** @return a copy of the body bytes */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /**
     * @return the Sluice envelope, absent for messages the queue itself moved (e.g. after a crash); a minimal
     *     envelope (sent when a provider refused the full one) reads with the enqueue time as failure time
     */
    public Optional<DeadLetterEnvelope> envelope() {
        return DeadLetterEnvelope.fromAttributes(attributes, enqueuedAt);
    }

    /** @return the message's stable id: the envelope's original id, else the provider's id */
    public String originalMessageId() {
        String original = attributes.get(SluiceAttributes.ORIGINAL_MESSAGE_ID);
        return original == null || original.isBlank() ? providerMessageId : original;
    }

    /** @return when it last failed, else when it was enqueued */
    public Instant failedAt() {
        return envelope().map(DeadLetterEnvelope::lastFailureAt).orElse(enqueuedAt);
    }

    /** @return how often it was redriven before */
    public int redriveCount() {
        try {
            return Integer.parseInt(attributes.getOrDefault(SluiceAttributes.REDRIVE_COUNT, "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The attributes a redriven copy carries: the original attributes without the failure description
     * and attempt count, with the stable id kept and {@code sluice-redrive-count} incremented.
     *
     * @return attributes for the copy sent back to the source queue
     */
    public Map<String, String> redriveAttributes() {
        Map<String, String> copy = new LinkedHashMap<>(attributes);
        copy.keySet().removeAll(SluiceAttributes.FAILURE_ATTRIBUTES);
        copy.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, originalMessageId());
        copy.put(SluiceAttributes.REDRIVE_COUNT, Integer.toString(redriveCount() + 1));
        return copy;
    }

    /**
     * @param text text attributes for a copy of this dead letter (e.g. {@link #redriveAttributes()})
     * @return them typed as this dead letter's were, its binary attributes included
     */
    public Map<String, AttributeValue> typed(Map<String, String> text) {
        return AttributeValue.retype(text, typedAttributes);
    }

    @Override
    public String toString() {
        return "DeadLetter[id=" + providerMessageId + ", original=" + originalMessageId() + ", bytes=" + body.length + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter other && handle.equals(other.handle) && providerMessageId.equals(other.providerMessageId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(handle, providerMessageId);
    }
}
