package dev.sluice.core.redrive;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message received from a dead-letter (or parking) queue, held by the source until it is removed or
 * released. The body is carried as bytes and never parsed.
 *
 * @param handle the source's handle to remove or release it (e.g. an SQS receipt handle)
 * @param providerMessageId the provider's id of the dead letter
 * @param body the body bytes
 * @param attributes the attributes, envelope included
 * @param enqueuedAt when it entered the dead-letter queue, if known
 */
public record DeadLetter(String handle, String providerMessageId, byte[] body, Map<String, String> attributes,
                         Instant enqueuedAt) {
    /** Validates and copies. */
    public DeadLetter {
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(providerMessageId, "providerMessageId");
        body = Objects.requireNonNull(body, "body").clone();
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
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
        Map<String, String> copy = new java.util.LinkedHashMap<>(attributes);
        copy.keySet().removeAll(SluiceAttributes.FAILURE_ATTRIBUTES);
        copy.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, originalMessageId());
        copy.put(SluiceAttributes.REDRIVE_COUNT, Integer.toString(redriveCount() + 1));
        return copy;
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
