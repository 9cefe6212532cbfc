package dev.sluice.core.pipeline;

import dev.sluice.core.redrive.SluiceAttributes;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A message as a provider adapter hands it to the pipeline, before anything is decoded. Immutable.
 * Build with {@link #builder()}.
 */
public final class IncomingMessage {
    private final String providerMessageId;
    private final byte[] body;
    private final Map<String, String> attributes;
    private final @Nullable String groupKey;
    private final int deliveryCount;
    private final @Nullable Instant enqueuedAt;
    private final String sourceQueue;
    private final @Nullable String correlationId;
    private final @Nullable String traceHeader;

    private IncomingMessage(Builder b) {
        this.providerMessageId = b.providerMessageId;
        this.body = b.body;
        this.attributes = Map.copyOf(b.attributes);
        this.groupKey = b.groupKey == null || b.groupKey.isEmpty() ? null : b.groupKey;
        this.deliveryCount = b.deliveryCount;
        this.enqueuedAt = b.enqueuedAt;
        this.sourceQueue = b.sourceQueue;
        this.correlationId = b.correlationId != null ? b.correlationId : attributes.get(SluiceAttributes.CORRELATION_ID);
        this.traceHeader = b.traceHeader;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The stable id: the {@code sluice-original-message-id} attribute when a copy carries one (re-publish,
     * dead-letter, redrive), else the provider's message id.
     *
     * @return the stable id
     */
    public String id() {
        String original = attributes.get(SluiceAttributes.ORIGINAL_MESSAGE_ID);
        return original == null || original.isBlank() ? providerMessageId : original;
    }

    /** @return the provider's id of this delivery */
    public String providerMessageId() {
        return providerMessageId;
    }

    /** @return a copy of the body bytes as received */
    public byte[] body() {
        return body.clone();
    }

    /** @return the body size in bytes */
    public int bodySize() {
        return body.length;
    }

    /** @return the attributes (application properties), unmodifiable */
    public Map<String, String> attributes() {
        return attributes;
    }

    /** @return the FIFO group or session id, if any */
    public Optional<String> groupKey() {
        return Optional.ofNullable(groupKey);
    }

    /** @return how often the provider delivered this copy, starting at 1 */
    public int deliveryCount() {
        return deliveryCount;
    }

    /** @return when the provider enqueued this copy, if known */
    public Optional<Instant> enqueuedAt() {
        return Optional.ofNullable(enqueuedAt);
    }

    /** @return the queue the message was received from */
    public String sourceQueue() {
        return sourceQueue;
    }

    /** @return the correlation id, if any */
    public Optional<String> correlationId() {
        return Optional.ofNullable(correlationId);
    }

    /** @return the provider's trace header (SQS {@code AWSTraceHeader}, X-Ray's format), if the message carries one */
    public Optional<String> traceHeader() {
        return Optional.ofNullable(traceHeader);
    }

    /**
     * Attempts already used before this copy: the {@code sluice-attempt} attribute of a re-published
     * copy, 0 for an original; an unreadable value counts as 0.
     *
     * @return attempts used by earlier copies
     */
    public int priorAttempts() {
        String value = attributes.get(SluiceAttributes.ATTEMPT);
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    byte[] bodyUnsafe() {
        return body;
    }

    @Override
    public String toString() {
        // never the body: it may hold personal data
        return "IncomingMessage[id=" + id() + ", providerMessageId=" + providerMessageId + ", group=" + groupKey
                + ", deliveryCount=" + deliveryCount + ", bytes=" + body.length + "]";
    }

    /** Builds an {@link IncomingMessage}; {@code providerMessageId}, {@code body} and {@code sourceQueue} are required. */
    public static final class Builder {
        private @Nullable String providerMessageId;
        private byte @Nullable [] body;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private @Nullable String groupKey;
        private int deliveryCount = 1;
        private @Nullable Instant enqueuedAt;
        private @Nullable String sourceQueue;
        private @Nullable String traceHeader;
        private @Nullable String correlationId;

        private Builder() {}

        /** @param id the provider's message id @return this */
        public Builder providerMessageId(String id) {
            this.providerMessageId = id;
            return this;
        }

        /** @param body the body bytes as received (copied) @return this */
        public Builder body(byte[] body) {
            this.body = Arrays.copyOf(Objects.requireNonNull(body, "body"), body.length);
            return this;
        }

        /** @param body the body text, encoded as UTF-8 @return this */
        public Builder body(String body) {
            this.body = Objects.requireNonNull(body, "body").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return this;
        }

        /** @param attributes attributes to add (null values are skipped) @return this */
        public Builder attributes(Map<String, String> attributes) {
            attributes.forEach((k, v) -> {
                if (k != null && v != null) {
                    this.attributes.put(k, v);
                }
            });
            return this;
        }

        /** @param name attribute name @param value attribute value @return this */
        public Builder attribute(String name, String value) {
            this.attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @param groupKey the FIFO group or session id (null or empty for none) @return this */
        public Builder groupKey(@Nullable String groupKey) {
            this.groupKey = groupKey;
            return this;
        }

        /** @param deliveryCount the provider's delivery count, at least 1 @return this */
        public Builder deliveryCount(int deliveryCount) {
            this.deliveryCount = deliveryCount;
            return this;
        }

        /** @param enqueuedAt when the provider enqueued the message @return this */
        public Builder enqueuedAt(@Nullable Instant enqueuedAt) {
            this.enqueuedAt = enqueuedAt;
            return this;
        }

        /** @param sourceQueue the queue's name @return this */
        public Builder sourceQueue(String sourceQueue) {
            this.sourceQueue = sourceQueue;
            return this;
        }

        /** @param correlationId a correlation id (defaults to the {@code correlation-id} attribute) @return this */
        public Builder correlationId(@Nullable String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        /** @param traceHeader the provider's trace header (SQS {@code AWSTraceHeader}), or null @return this */
        public Builder traceHeader(@Nullable String traceHeader) {
            this.traceHeader = traceHeader;
            return this;
        }

        /** @return the message @throws IllegalArgumentException naming a missing or invalid property */
        public IncomingMessage build() {
            if (providerMessageId == null || providerMessageId.isBlank()) {
                throw new IllegalArgumentException("providerMessageId is required");
            }
            if (body == null) {
                throw new IllegalArgumentException("body is required");
            }
            if (sourceQueue == null || sourceQueue.isBlank()) {
                throw new IllegalArgumentException("sourceQueue is required");
            }
            if (deliveryCount < 1) {
                throw new IllegalArgumentException("deliveryCount must be at least 1, got " + deliveryCount);
            }
            return new IncomingMessage(this);
        }
    }
}
