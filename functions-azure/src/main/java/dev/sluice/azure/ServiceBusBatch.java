package dev.sluice.azure;

import dev.sluice.azure.internal.ServiceBusMessages;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.security.Hashes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a Java function with {@code @ServiceBusQueueTrigger(cardinality = Cardinality.MANY)} receives: the
 * bodies and the host's binding-metadata arrays, index-aligned. Bind them with {@code @BindingName}:
 * {@code MessageIdArray}, {@code DeliveryCountArray}, {@code ApplicationPropertiesArray} (formerly
 * {@code UserPropertiesArray}), {@code SessionIdArray}, {@code EnqueuedTimeUtcArray},
 * {@code CorrelationIdArray} and, optionally, {@code ContentTypeArray}. Only the bodies and message ids
 * are required; a malformed entry affects its own message only.
 */
public final class ServiceBusBatch {
    /** Binding name of the message ids. */
    public static final String MESSAGE_IDS = "MessageIdArray";
    /** Binding name of the delivery counts. */
    public static final String DELIVERY_COUNTS = "DeliveryCountArray";
    /** Binding name of the application properties. */
    public static final String APPLICATION_PROPERTIES = "ApplicationPropertiesArray";
    /** Binding name of the session ids. */
    public static final String SESSION_IDS = "SessionIdArray";
    /** Binding name of the enqueued times (UTC). */
    public static final String ENQUEUED_TIMES = "EnqueuedTimeUtcArray";
    /** Binding name of the correlation ids. */
    public static final String CORRELATION_IDS = "CorrelationIdArray";
    /** Binding name of the content types. */
    public static final String CONTENT_TYPES = "ContentTypeArray";

    private final List<byte[]> bodies;
    private final List<@Nullable String> messageIds;
    private final int @Nullable [] deliveryCounts;
    private final @Nullable List<@Nullable Map<String, ?>> properties;
    private final @Nullable List<@Nullable String> sessionIds;
    private final @Nullable List<@Nullable String> enqueuedTimes;
    private final @Nullable List<@Nullable String> correlationIds;
    private final @Nullable List<@Nullable String> contentTypes;

    private ServiceBusBatch(Builder b) {
        this.bodies = List.copyOf(Objects.requireNonNull(b.bodies));
        this.messageIds = Objects.requireNonNull(b.messageIds);
        this.deliveryCounts = b.deliveryCounts;
        this.properties = b.properties;
        this.sessionIds = b.sessionIds;
        this.enqueuedTimes = b.enqueuedTimes;
        this.correlationIds = b.correlationIds;
        this.contentTypes = b.contentTypes;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return how many messages the batch holds */
    public int size() {
        return bodies.size();
    }

    /**
     * @param index a message's position
     * @return its content type, if the host passed one
     */
    public @Nullable String contentType(int index) {
        return contentTypes == null ? null : contentTypes.get(index);
    }

    /**
     * @param queue the queue the batch came from
     * @return the messages for the pipeline, in batch order
     */
    public List<IncomingMessage> toIncoming(String queue) {
        List<IncomingMessage> messages = new ArrayList<>(bodies.size());
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i);
            String id = messageIds.get(i);
            if (id == null || id.isBlank()) {
                // Service Bus always sets one; a stand-in derived from the body keeps idempotency deterministic
                id = "sha256:" + Hashes.sha256Hex(body);
            }
            messages.add(IncomingMessage.builder()
                    .providerMessageId(id)
                    .body(body)
                    .attributes(properties == null ? Map.of() : ServiceBusMessages.propertiesAsText(properties.get(i)))
                    .groupKey(sessionIds == null ? null : sessionIds.get(i))
                    .deliveryCount(deliveryCounts == null ? 1 : Math.max(1, deliveryCounts[i]))
                    .enqueuedAt(enqueuedTimes == null ? null : parseTime(enqueuedTimes.get(i)))
                    .correlationId(correlationIds == null ? null : correlationIds.get(i))
                    .sourceQueue(queue)
                    .build());
        }
        return messages;
    }

    /**
     * The host passes times as ISO-8601 text, with or without an offset; an unreadable one is dropped.
     *
     * @param text a time
     * @return the instant, or null
     */
    static @Nullable Instant parseTime(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** Builds a {@link ServiceBusBatch}; {@code bodies} and {@code messageIds} are required, arrays index-aligned. */
    public static final class Builder {
        private @Nullable List<byte[]> bodies;
        private @Nullable List<@Nullable String> messageIds;
        private int @Nullable [] deliveryCounts;
        private @Nullable List<@Nullable Map<String, ?>> properties;
        private @Nullable List<@Nullable String> sessionIds;
        private @Nullable List<@Nullable String> enqueuedTimes;
        private @Nullable List<@Nullable String> correlationIds;
        private @Nullable List<@Nullable String> contentTypes;

        private Builder() {}

        /** @param bodies the trigger's {@code String[]} (UTF-8 text bodies) @return this */
        public Builder bodies(@Nullable String[] bodies) {
            this.bodies = bodies == null ? null : Arrays.stream(bodies)
                    .map(b -> b == null ? new byte[0] : b.getBytes(StandardCharsets.UTF_8)).toList();
            return this;
        }

        /** @param bodies the trigger's {@code byte[][]} (binary bodies) @return this */
        public Builder bodies(byte @Nullable [][] bodies) {
            this.bodies = bodies == null ? null : Arrays.stream(bodies).map(b -> b == null ? new byte[0] : b.clone()).toList();
            return this;
        }

        /** @param messageIds {@value #MESSAGE_IDS} @return this */
        public Builder messageIds(@Nullable String[] messageIds) {
            this.messageIds = messageIds == null ? null : Arrays.asList(messageIds.clone());
            return this;
        }

        /** @param deliveryCounts {@value #DELIVERY_COUNTS} @return this */
        public Builder deliveryCounts(int @Nullable [] deliveryCounts) {
            this.deliveryCounts = deliveryCounts == null ? null : deliveryCounts.clone();
            return this;
        }

        /** @param deliveryCounts {@value #DELIVERY_COUNTS}, boxed (null entries count as 1) @return this */
        public Builder deliveryCounts(@Nullable Integer[] deliveryCounts) {
            this.deliveryCounts = deliveryCounts == null ? null
                    : Arrays.stream(deliveryCounts).mapToInt(c -> c == null ? 1 : c).toArray();
            return this;
        }

        /** @param properties {@value #APPLICATION_PROPERTIES} @return this */
        public Builder applicationProperties(@Nullable Map<String, ?>[] properties) {
            this.properties = properties == null ? null : Arrays.asList(properties.clone());
            return this;
        }

        /** @param properties {@value #APPLICATION_PROPERTIES}, as a list @return this */
        public Builder applicationProperties(@Nullable List<? extends @Nullable Map<String, ?>> properties) {
            this.properties = properties == null ? null : new ArrayList<>(properties);
            return this;
        }

        /** @param sessionIds {@value #SESSION_IDS} @return this */
        public Builder sessionIds(@Nullable String[] sessionIds) {
            this.sessionIds = sessionIds == null ? null : Arrays.asList(sessionIds.clone());
            return this;
        }

        /** @param enqueuedTimes {@value #ENQUEUED_TIMES}, ISO-8601 text @return this */
        public Builder enqueuedTimesUtc(@Nullable String[] enqueuedTimes) {
            this.enqueuedTimes = enqueuedTimes == null ? null : Arrays.asList(enqueuedTimes.clone());
            return this;
        }

        /** @param correlationIds {@value #CORRELATION_IDS} @return this */
        public Builder correlationIds(@Nullable String[] correlationIds) {
            this.correlationIds = correlationIds == null ? null : Arrays.asList(correlationIds.clone());
            return this;
        }

        /** @param contentTypes {@value #CONTENT_TYPES} @return this */
        public Builder contentTypes(@Nullable String[] contentTypes) {
            this.contentTypes = contentTypes == null ? null : Arrays.asList(contentTypes.clone());
            return this;
        }

        /** @return the batch @throws IllegalArgumentException naming a missing or misaligned property */
        public ServiceBusBatch build() {
            if (bodies == null) {
                throw new IllegalArgumentException("bodies is required");
            }
            if (messageIds == null) {
                throw new IllegalArgumentException("messageIds is required (bind @BindingName(\"" + MESSAGE_IDS + "\"))");
            }
            int n = bodies.size();
            aligned("messageIds", messageIds.size(), n);
            aligned("deliveryCounts", deliveryCounts == null ? n : deliveryCounts.length, n);
            aligned("applicationProperties", properties == null ? n : properties.size(), n);
            aligned("sessionIds", sessionIds == null ? n : sessionIds.size(), n);
            aligned("enqueuedTimesUtc", enqueuedTimes == null ? n : enqueuedTimes.size(), n);
            aligned("correlationIds", correlationIds == null ? n : correlationIds.size(), n);
            aligned("contentTypes", contentTypes == null ? n : contentTypes.size(), n);
            return new ServiceBusBatch(this);
        }

        private static void aligned(String property, int size, int bodies) {
            if (size != bodies) {
                throw new IllegalArgumentException(property + " has " + size + " entries but there are " + bodies + " bodies");
            }
        }
    }
}
