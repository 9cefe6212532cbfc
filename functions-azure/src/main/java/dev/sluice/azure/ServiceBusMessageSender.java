package dev.sluice.azure;

import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.MessageSender;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendMetrics;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.sender.SendRetry;
import dev.sluice.core.sender.SenderBuilder;
import dev.sluice.core.sender.SendSpan;
import dev.sluice.core.spi.MetricsSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Sends to one Service Bus queue through a {@link MessagePublisher} ({@link ServiceBusMessaging} batches by size): the
 * {@code sluice-message-id} is the message id (so duplicate detection, when the queue has it, drops a re-send), the
 * group the session id, the correlation id also the native one, a delay a scheduled enqueue time. A message Service
 * Bus refuses for its content ({@link MessageRejectedException}) fails with that reason; a send that fails otherwise
 * is retried with backoff, the refused messages left out, and after the last attempt its messages fail. A message
 * larger than {@link Builder#maxMessageBytes} fails with a reason and is not sent.
 *
 * <p>With an envelope that has a payload store ({@link Envelope.Builder#payloadStore}, e.g. a {@link BlobPayloadStore}),
 * a body over its threshold or too large for the queue is stored there and the message carries the pointer, with
 * {@value ClaimCheck#SIZE_ATTRIBUTE} as an application property. The blob of a message that was certainly not sent
 * (too large, refused for its content) is deleted; after a failed publish, which may have sent it, it stays for the
 * container's lifecycle rule.
 */
public final class ServiceBusMessageSender implements MessageSender {
    /** The largest message a Standard tier namespace accepts, headers and properties included: 256 KiB. */
    public static final int STANDARD_MAX_MESSAGE_BYTES = 256 * 1024;

    private final MessagePublisher publisher;
    private final String queue;
    private final Envelope envelope;
    private final MetricsSink metrics;
    private final SendRetry retry;
    private final Tracing tracing;
    private final int maxMessageBytes;

    private ServiceBusMessageSender(Builder b, SenderBuilder.Options options) {
        this.publisher = b.publisher;
        this.queue = b.queue;
        this.envelope = options.envelope();
        this.metrics = options.metrics();
        this.retry = options.retry();
        this.tracing = options.tracing();
        this.maxMessageBytes = b.maxMessageBytes;
    }

    /** @return a builder; {@code publisher} and {@code queue} are required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<SendResult> sendAll(List<OutboundMessage> messages) {
        return SendSpan.around(tracing, ServiceBusBatchConsumer.MESSAGING_SYSTEM, queue, messages.size(), () -> sendUntraced(messages));
    }

    private List<SendResult> sendUntraced(List<OutboundMessage> messages) {
        long start = System.nanoTime();
        SendResult[] results = new SendResult[messages.size()];
        List<@Nullable OutgoingMessage> outgoing = new ArrayList<>(messages.size());
        List<Envelope.@Nullable Sealed> sealedMessages = new ArrayList<>(messages.size());
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            OutboundMessage message = Objects.requireNonNull(messages.get(i), "message");
            Envelope.Sealed sealed;
            try {
                sealed = envelope.seal(message, maxMessageBytes);
            } catch (RuntimeException e) {
                results[i] = SendResult.Failed.notStored(e);
                outgoing.add(null);
                sealedMessages.add(null);
                continue;
            }
            OutgoingMessage sbMessage = toServiceBus(sealed);
            outgoing.add(sbMessage);
            sealedMessages.add(sealed);
            long bytes = size(sbMessage);
            if (bytes > maxMessageBytes) {
                results[i] = new SendResult.Failed(sealed.messageId(), "the message is " + bytes + " bytes with its"
                        + " properties; the queue accepts at most " + maxMessageBytes + " (maxMessageBytes)"
                        + (sealed.stored() != null ? " even with its body stored as " + sealed.stored()
                        + " (its properties are too large)"
                        : ": give the envelope a payload store (Envelope.Builder.payloadStore with a BlobPayloadStore)"
                        + " to send the body through Blob Storage, or compress it (Envelope.Builder.compressAboveBytes)"));
                envelope.discard(sealed);
            } else {
                remaining.add(i);
            }
        }
        for (int attempt = 1; !remaining.isEmpty(); attempt++) {
            List<OutgoingMessage> batch = remaining.stream().map(i -> Objects.requireNonNull(outgoing.get(i))).toList();
            String failure = null;
            Set<String> rejected = Set.of();
            try {
                publisher.publish(queue, batch);
            } catch (MessageRejectedException e) {
                rejected = e.rejectedMessageIds();
            } catch (RuntimeException e) {
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            List<Integer> again = new ArrayList<>();
            for (int i : remaining) {
                String id = Objects.requireNonNull(outgoing.get(i)).messageId();
                if (rejected.contains(id)) {
                    results[i] = new SendResult.Failed(id, "Service Bus refused the message for its content (a property or"
                            + " the size)");
                    envelope.discard(Objects.requireNonNull(sealedMessages.get(i)));
                } else if (failure != null) {
                    results[i] = new SendResult.Failed(id, failure + " (after " + attempt + " attempts)");
                    again.add(i);
                } else {
                    results[i] = new SendResult.Sent(id, id);
                }
            }
            if (again.isEmpty() || !retry.allowsAfter(attempt)) {
                // a failed publish may have sent some of them: their stored payloads stay (a delivered message whose
                // payload was deleted would be poison); the container's lifecycle rule ends the orphans
                break;
            }
            retry.pauseAfter(attempt);
            remaining = again;
        }
        List<SendResult> all = List.of(results);
        SendMetrics.record(metrics, queue, all, Duration.ofNanos(System.nanoTime() - start));
        return all;
    }

    /** The message's size as Service Bus counts it against its limit, near enough: body, properties and ids. */
    private static long size(OutgoingMessage message) {
        long bytes = message.body().length + utf8(message.messageId()) + utf8(message.sessionId())
                + utf8(message.correlationId());
        for (var property : message.applicationProperties().entrySet()) {
            bytes += utf8(property.getKey()) + utf8(property.getValue());
        }
        return bytes;
    }

    private static int utf8(@Nullable String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    private OutgoingMessage toServiceBus(Envelope.Sealed sealed) {
        @Nullable Instant scheduled = sealed.delay().isZero() ? null : envelope.clock().instant().plus(sealed.delay());
        return new OutgoingMessage(sealed.messageId(), sealed.body(), sealed.attributes(), sealed.groupId(),
                sealed.correlationId(), null, scheduled);
    }


    /** Builds a {@link ServiceBusMessageSender}. */
    public static final class Builder extends SenderBuilder<Builder> {
        private @Nullable MessagePublisher publisher;
        private @Nullable String queue;
        private int maxMessageBytes = STANDARD_MAX_MESSAGE_BYTES;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * @param bytes the largest message the namespace accepts (default 256 KiB, Standard tier;
         *     a Premium namespace's queue may allow up to 100 MiB): larger bodies go to the envelope's payload store,
         *     or fail without one
         * @return this
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** @param publisher where messages go, e.g. {@link ServiceBusMessaging} (shared; not closed) @return this */
        public Builder publisher(MessagePublisher publisher) {
            this.publisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        /** @param queue the queue's name @return this */
        public Builder queue(String queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /**
         * @return the sender
         * @throws IllegalArgumentException naming a missing or bad property
         */
        public ServiceBusMessageSender build() {
            if (publisher == null) {
                throw new IllegalArgumentException("publisher is required");
            }
            if (queue == null || queue.isBlank()) {
                throw new IllegalArgumentException("queue is required");
            }
            return new ServiceBusMessageSender(this, options());
        }
    }
}
