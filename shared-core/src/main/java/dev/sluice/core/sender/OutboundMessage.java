package dev.sluice.core.sender;

import com.fasterxml.jackson.core.JsonPointer;
import dev.sluice.core.codec.DecodingException;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.internal.IdempotencyKeys;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A message to send, before the {@link Envelope} adds Sluice's headers: the body and what the producer says about
 * it. Immutable; the body is copied in and out.
 */
public final class OutboundMessage {
    private static final Set<String> RESERVED = Set.of(SluiceAttributes.MESSAGE_TYPE, SluiceAttributes.SCHEMA_VERSION,
            SluiceAttributes.CORRELATION_ID, SluiceAttributes.CAUSATION_ID, SluiceAttributes.SOURCE,
            SluiceAttributes.IDEMPOTENCY_KEY, SluiceAttributes.CONTENT_ENCODING, Tracing.TRACEPARENT, Tracing.TRACESTATE);

    private final byte[] body;
    private final @Nullable String messageType;
    private final @Nullable String schemaVersion;
    private final @Nullable String correlationId;
    private final @Nullable String causationId;
    private final @Nullable String source;
    private final @Nullable String idempotencyKey;
    private final @Nullable String groupId;
    private final Duration delay;
    private final Map<String, String> attributes;

    private OutboundMessage(Builder b, byte[] body, @Nullable String idempotencyKey) {
        this.body = body;
        this.messageType = b.messageType;
        this.schemaVersion = b.schemaVersion;
        this.correlationId = b.correlationId;
        this.causationId = b.causationId;
        this.source = b.source;
        this.idempotencyKey = idempotencyKey;
        this.groupId = b.groupId;
        this.delay = b.delay;
        this.attributes = Map.copyOf(b.attributes);
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a copy of the body bytes, uncompressed */
    public byte[] body() {
        return body.clone();
    }

    /** @return the {@code message-type} */
    public Optional<String> messageType() {
        return Optional.ofNullable(messageType);
    }

    /** @return the {@code schema-version} */
    public Optional<String> schemaVersion() {
        return Optional.ofNullable(schemaVersion);
    }

    /** @return the {@code correlation-id} */
    public Optional<String> correlationId() {
        return Optional.ofNullable(correlationId);
    }

    /** @return the {@code causation-id} */
    public Optional<String> causationId() {
        return Optional.ofNullable(causationId);
    }

    /** @return the {@code source} */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /** @return the {@code idempotency-key}, given or read from the body at build time */
    public Optional<String> idempotencyKey() {
        return Optional.ofNullable(idempotencyKey);
    }

    /** @return the FIFO message group (SQS) or session id (Service Bus) */
    public Optional<String> groupId() {
        return Optional.ofNullable(groupId);
    }

    /** @return how long the message stays invisible after the send; zero for none */
    public Duration delay() {
        return delay;
    }

    /** @return the producer's own attributes, beside Sluice's */
    public Map<String, String> attributes() {
        return attributes;
    }

    @Override
    public String toString() {
        // never the body
        return "OutboundMessage[type=" + messageType + ", version=" + schemaVersion + ", bytes=" + body.length
                + ", group=" + groupId + ", delay=" + delay + ", attributes=" + attributes.keySet() + "]";
    }

    /** Builds an {@link OutboundMessage}; {@link #body(byte[])} (or another body method) is required. */
    public static final class Builder {
        private byte @Nullable [] body;
        private @Nullable String messageType;
        private @Nullable String schemaVersion;
        private @Nullable String correlationId;
        private @Nullable String causationId;
        private @Nullable String source;
        private @Nullable String idempotencyKey;
        private @Nullable String idempotencyKeyPointer;
        private @Nullable String groupId;
        private Duration delay = Duration.ZERO;
        private final Map<String, String> attributes = new LinkedHashMap<>();

        private Builder() {}

        /** @param body the body bytes (copied) @return this */
        public Builder body(byte[] body) {
            this.body = Objects.requireNonNull(body, "body").clone();
            return this;
        }

        /** @param body the body, sent as UTF-8 @return this */
        public Builder body(String body) {
            return body(Objects.requireNonNull(body, "body").getBytes(StandardCharsets.UTF_8));
        }

        /**
         * @param body a body object
         * @param codec the codec the consumer decodes it with
         * @param <T> the body type
         * @return this
         */
        public <T> Builder body(T body, MessageCodec<T> codec) {
            return body(Objects.requireNonNull(codec, "codec").encode(Objects.requireNonNull(body, "body")));
        }

        /** @param messageType the {@code message-type}, or null @return this */
        public Builder messageType(@Nullable String messageType) {
            this.messageType = messageType;
            return this;
        }

        /** @param schemaVersion the {@code schema-version}, or null @return this */
        public Builder schemaVersion(@Nullable String schemaVersion) {
            this.schemaVersion = schemaVersion;
            return this;
        }

        /** @param correlationId the {@code correlation-id}, or null @return this */
        public Builder correlationId(@Nullable String correlationId) {
            this.correlationId = correlationId;
            return this;
        }

        /** @param causationId the id of the message that caused this one, or null @return this */
        public Builder causationId(@Nullable String causationId) {
            this.causationId = causationId;
            return this;
        }

        /** @param source the producer's name, or null @return this */
        public Builder source(@Nullable String source) {
            this.source = source;
            return this;
        }

        /** @param idempotencyKey the {@code idempotency-key}; wins over {@link #idempotencyKeyPointer} @return this */
        public Builder idempotencyKey(@Nullable String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        /**
         * @param pointer a JSON Pointer into the (JSON) body whose value becomes the {@code idempotency-key}, read the
         *     way the consumer reads {@code SLUICE_IDEMPOTENCY_KEY_POINTER}; or null
         * @return this
         */
        public Builder idempotencyKeyPointer(@Nullable String pointer) {
            this.idempotencyKeyPointer = pointer;
            return this;
        }

        /** @param groupId the FIFO message group / session id, or null @return this */
        public Builder groupId(@Nullable String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** @param delay how long the message stays invisible (the provider's limit applies) @return this */
        public Builder delay(Duration delay) {
            this.delay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /**
         * @param name an attribute of the producer's own; not one of Sluice's
         * @param value its value
         * @return this
         */
        public Builder attribute(String name, String value) {
            Objects.requireNonNull(name, "name");
            if (RESERVED.contains(name) || name.startsWith("sluice-")) {
                throw new IllegalArgumentException("attribute '" + name + "' is Sluice's: use its builder method");
            }
            attributes.put(name, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @return the message
         * @throws IllegalArgumentException naming the property: no body, a negative delay, a blank header, or no
         *     value at the idempotency key pointer
         */
        public OutboundMessage build() {
            if (body == null) {
                throw new IllegalArgumentException("body is required");
            }
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, got " + delay);
            }
            nonBlank("messageType", messageType);
            nonBlank("schemaVersion", schemaVersion);
            nonBlank("correlationId", correlationId);
            nonBlank("causationId", causationId);
            nonBlank("source", source);
            nonBlank("idempotencyKey", idempotencyKey);
            nonBlank("groupId", groupId);
            String key = idempotencyKey;
            if (key == null && idempotencyKeyPointer != null) {
                try {
                    key = IdempotencyKeys.atPointer(body, JsonPointer.compile(idempotencyKeyPointer));
                } catch (DecodingException | IllegalArgumentException e) {
                    throw new IllegalArgumentException("idempotencyKeyPointer '" + idempotencyKeyPointer + "': "
                            + e.getMessage(), e);
                }
            }
            return new OutboundMessage(this, body, key);
        }

        private static void nonBlank(String property, @Nullable String value) {
            if (value != null && value.isBlank()) {
                throw new IllegalArgumentException(property + " must not be blank");
            }
        }
    }
}
