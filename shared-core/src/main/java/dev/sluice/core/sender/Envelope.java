package dev.sluice.core.sender;

import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.codec.PayloadCompression;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeySource;
import dev.sluice.core.security.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Writes the headers a Sluice consumer reads, the one place a producer does so: {@code message-type},
 * {@code schema-version}, {@code correlation-id}, {@code causation-id}, {@code source}, {@code idempotency-key}, a
 * fresh {@code sluice-message-id}, {@code sluice-sent-at}, gzip ({@code content-encoding}) above a size threshold,
 * the form-1 signature with the active key when keys are configured, and the current trace context. With a
 * {@link PayloadStore}, a body over {@link Builder#offloadAboveBytes} (and always one that would not fit the provider's
 * limit) is stored there and the message carries a pointer instead ({@link ClaimCheck}); the signature covers the
 * stored payload and the pointer. Every provider's sender seals through it, so what it writes is what the pipeline
 * checks.
 */
public final class Envelope {
    /** The default size above which bodies are gzip-compressed: 64 KiB. */
    public static final int DEFAULT_COMPRESS_ABOVE_BYTES = 64 * 1024;
    /**
     * What a message's headers may take beyond the attributes known before signing (the signature, key id, sent-at,
     * trace context and each attribute's data type), counted when deciding whether a body fits the provider's limit.
     */
    static final int HEADER_RESERVE_BYTES = 1024;

    private final @Nullable MessageSignatures signatures;
    private final int compressAboveBytes;
    private final Clock clock;
    private final Supplier<String> ids;
    private final @Nullable PayloadStore payloads;
    private final int offloadAboveBytes;

    private Envelope(Builder b) {
        this.payloads = b.payloads;
        this.offloadAboveBytes = b.offloadAboveBytes;
        this.signatures = b.signingKeys == null ? null : MessageSignatures.with(b.signingKeys);
        this.compressAboveBytes = b.compressAboveBytes;
        this.clock = b.clock;
        this.ids = b.ids;
    }

    /** @return a builder: no signing, gzip above {@value #DEFAULT_COMPRESS_ABOVE_BYTES} bytes */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A message ready for the wire.
     *
     * @param messageId its {@code sluice-message-id} (a deduplication id on SQS FIFO, the message id on Service Bus)
     * @param body the body bytes as sent: the base64 text of the gzip bytes when compressed, so text-only
     *     transports (SQS, the Functions string binding) carry it unchanged
     * @param attributes the attributes to send, in the order the consumer's packing prefers
     * @param groupId the FIFO group / session id, or null
     * @param correlationId the correlation id, or null (Service Bus also carries it natively)
     * @param delay how long the message stays invisible
     * @param stored where the payload was stored when the body is a claim-check pointer, else null
     */
    public record Sealed(String messageId, byte[] body, Map<String, String> attributes, @Nullable String groupId,
                         @Nullable String correlationId, Duration delay, @Nullable PayloadPointer stored) {
        /** Copies. */
        public Sealed {
            body = body.clone();
            attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        }

        /** @return a copy of the body */
        @Override
        public byte[] body() {
            return body.clone();
        }

        @Override
        public String toString() {
            return "Sealed[id=" + messageId + ", bytes=" + body.length + ", attributes=" + attributes.keySet()
                    + (stored == null ? "" : ", stored=" + stored) + "]";
        }
    }

    /** @return whether messages are signed */
    public boolean signing() {
        return signatures != null;
    }

    /** @return the clock sent-at is read from */
    public Clock clock() {
        return clock;
    }

    /**
     * Deletes the stored payload of a sealed message that was finally not sent, so a failed send leaves no object
     * behind (best effort: what a failure leaves, the store's lifecycle rule ends).
     *
     * @param sealed a message this envelope sealed
     * @return whether a stored payload was deleted
     */
    public boolean discard(Sealed sealed) {
        PayloadPointer stored = sealed.stored();
        if (stored == null || payloads == null) {
            return false;
        }
        try {
            payloads.delete(stored);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * @param message a message
     * @return it with Sluice's headers, compressed and signed as configured; never claim-checked
     */
    public Sealed seal(OutboundMessage message) {
        return seal(message, Integer.MAX_VALUE);
    }

    /**
     * @param message a message
     * @param limitBytes the provider's limit on one message (body plus attributes); with a payload store, a body that
     *     would not fit it is stored outside the message
     * @return it with Sluice's headers, compressed, claim-checked and signed as configured
     * @throws RuntimeException when the payload store cannot be written (nothing is sent then)
     */
    public Sealed seal(OutboundMessage message, int limitBytes) {
        Objects.requireNonNull(message, "message");
        String messageId = ids.get();
        byte[] body = message.body();
        Map<String, String> attributes = new LinkedHashMap<>();
        // signed attributes first: a transport that must pack attributes (SQS allows 10) keeps the first ones individual
        message.idempotencyKey().ifPresent(k -> attributes.put(SluiceAttributes.IDEMPOTENCY_KEY, k));
        if (body.length > compressAboveBytes) {
            body = PayloadCompression.gzipBase64(body);
            attributes.putAll(PayloadCompression.attributes());
        }
        message.messageType().ifPresent(t -> attributes.put(SluiceAttributes.MESSAGE_TYPE, t));
        message.schemaVersion().ifPresent(v -> attributes.put(SluiceAttributes.SCHEMA_VERSION, v));
        message.correlationId().ifPresent(c -> attributes.put(SluiceAttributes.CORRELATION_ID, c));
        attributes.put(SluiceAttributes.MESSAGE_ID, messageId);
        PayloadPointer stored = null;
        if (payloads != null && (body.length > offloadAboveBytes || !fits(body, attributes, message, limitBytes))) {
            stored = payloads.put(body);
            // signed with the stored payload, so a pointer cannot be moved to another message or object
            attributes.put(SluiceAttributes.CLAIM_CHECK, ClaimCheck.format(stored));
        }
        Instant sentAt = clock.instant();
        // the message id and idempotency key are in place before signing: form 1 covers them
        if (signatures != null) {
            attributes.putAll(signatures.sign(body, attributes, sentAt));
        } else {
            attributes.put(SluiceAttributes.SENT_AT, sentAt.toString());
        }
        message.causationId().ifPresent(c -> attributes.put(SluiceAttributes.CAUSATION_ID, c));
        message.source().ifPresent(s -> attributes.put(SluiceAttributes.SOURCE, s));
        Tracing.inject(attributes);
        message.attributes().forEach(attributes::putIfAbsent);
        if (stored != null) {
            attributes.put(ClaimCheck.SIZE_ATTRIBUTE, Integer.toString(body.length));
            body = ClaimCheck.format(stored).getBytes(StandardCharsets.UTF_8);
        }
        return new Sealed(messageId, body, attributes, message.groupId().orElse(null), message.correlationId().orElse(null),
                message.delay(), stored);
    }

    /** Whether a body and its attributes fit {@code limitBytes}, counting a reserve for headers added later. */
    private static boolean fits(byte[] body, Map<String, String> attributes, OutboundMessage message, int limitBytes) {
        long bytes = (long) body.length + HEADER_RESERVE_BYTES;
        for (Map<String, String> set : List.of(attributes, message.attributes())) {
            for (Map.Entry<String, String> a : set.entrySet()) {
                bytes += utf8(a.getKey()) + utf8(a.getValue());
            }
        }
        bytes += message.causationId().map(Envelope::utf8).orElse(0) + message.source().map(Envelope::utf8).orElse(0);
        return bytes <= limitBytes;
    }

    private static int utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Builds an {@link Envelope}. */
    public static final class Builder {
        private @Nullable SigningKeySource signingKeys;
        private int compressAboveBytes = DEFAULT_COMPRESS_ABOVE_BYTES;
        private Clock clock = Clock.systemUTC();
        private Supplier<String> ids = () -> UUID.randomUUID().toString();
        private @Nullable PayloadStore payloads;
        private int offloadAboveBytes = Integer.MAX_VALUE;

        private Builder() {}

        /**
         * @param payloads where bodies too large for a message are stored (claim-check); null for none, so a message
         *     over the provider's limit fails to send
         * @return this
         */
        public Builder payloadStore(@Nullable PayloadStore payloads) {
            this.payloads = payloads;
            return this;
        }

        /**
         * @param bytes with a payload store, bodies (after compression) longer than this are stored outside the
         *     message even when they would fit (default: only those that would not fit the provider's limit)
         * @return this
         */
        public Builder offloadAboveBytes(int bytes) {
            this.offloadAboveBytes = bytes;
            return this;
        }

        /** @param signingKeys the keys; the active one signs; null for unsigned messages @return this */
        public Builder signingKeys(@Nullable SigningKeys signingKeys) {
            this.signingKeys = signingKeys == null ? null : SigningKeySource.of(signingKeys);
            return this;
        }

        /**
         * @param source where the keys come from, asked at every message, so the key that signs follows rotation in a
         *     secret store without a restart; null for unsigned messages
         * @return this
         */
        public Builder signingKeys(@Nullable SigningKeySource source) {
            this.signingKeys = source;
            return this;
        }

        /** @param signingKeys the keys, if any @return this */
        public Builder signingKeys(Optional<SigningKeys> signingKeys) {
            return signingKeys(signingKeys.orElse(null));
        }

        /** @param bytes bodies longer than this are gzip-compressed; 0 compresses every body @return this */
        public Builder compressAboveBytes(int bytes) {
            this.compressAboveBytes = bytes;
            return this;
        }

        /** @param clock where sent-at comes from @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param ids makes each {@code sluice-message-id} (default: random UUIDs) @return this */
        public Builder messageIds(Supplier<String> ids) {
            this.ids = Objects.requireNonNull(ids, "ids");
            return this;
        }

        /**
         * @return the envelope
         * @throws IllegalArgumentException when {@code compressAboveBytes} is negative
         */
        public Envelope build() {
            if (compressAboveBytes < 0) {
                throw new IllegalArgumentException("compressAboveBytes must be >= 0, got " + compressAboveBytes);
            }
            if (offloadAboveBytes < 0) {
                throw new IllegalArgumentException("offloadAboveBytes must be >= 0, got " + offloadAboveBytes);
            }
            return new Envelope(this);
        }
    }
}
