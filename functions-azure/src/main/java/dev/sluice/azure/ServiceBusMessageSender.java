package dev.sluice.azure;

import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.MessageSender;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendMetrics;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.sender.SendRetry;
import dev.sluice.core.spi.MetricsSink;
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
 * is retried with backoff, the refused messages left out, and after the last attempt its messages fail.
 */
public final class ServiceBusMessageSender implements MessageSender {
    private final MessagePublisher publisher;
    private final String queue;
    private final Envelope envelope;
    private final MetricsSink metrics;
    private final SendRetry retry;

    private ServiceBusMessageSender(Builder b) {
        this.publisher = b.publisher;
        this.queue = b.queue;
        this.envelope = b.envelope;
        this.metrics = b.metrics;
        this.retry = b.retry;
    }

    /** @return a builder; {@code publisher} and {@code queue} are required */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<SendResult> sendAll(List<OutboundMessage> messages) {
        long start = System.nanoTime();
        List<OutgoingMessage> outgoing = new ArrayList<>(messages.size());
        for (OutboundMessage message : messages) {
            outgoing.add(toServiceBus(envelope.seal(Objects.requireNonNull(message, "message"))));
        }
        SendResult[] results = new SendResult[outgoing.size()];
        List<Integer> remaining = new ArrayList<>();
        for (int i = 0; i < outgoing.size(); i++) {
            remaining.add(i);
        }
        for (int attempt = 1; !remaining.isEmpty(); attempt++) {
            List<OutgoingMessage> batch = remaining.stream().map(outgoing::get).toList();
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
                String id = outgoing.get(i).messageId();
                if (rejected.contains(id)) {
                    results[i] = new SendResult.Failed(id, "Service Bus refused the message for its content (a property or"
                            + " the size)");
                } else if (failure != null) {
                    results[i] = new SendResult.Failed(id, failure + " (after " + attempt + " attempts)");
                    again.add(i);
                } else {
                    results[i] = new SendResult.Sent(id, id);
                }
            }
            if (again.isEmpty() || !retry.allowsAfter(attempt)) {
                break;
            }
            retry.pauseAfter(attempt);
            remaining = again;
        }
        List<SendResult> all = List.of(results);
        SendMetrics.record(metrics, queue, all, Duration.ofNanos(System.nanoTime() - start));
        return all;
    }

    private OutgoingMessage toServiceBus(Envelope.Sealed sealed) {
        @Nullable Instant scheduled = sealed.delay().isZero() ? null : envelope.clock().instant().plus(sealed.delay());
        return new OutgoingMessage(sealed.messageId(), sealed.body(), sealed.attributes(), sealed.groupId(),
                sealed.correlationId(), null, scheduled);
    }


    /** Builds a {@link ServiceBusMessageSender}. */
    public static final class Builder {
        private @Nullable MessagePublisher publisher;
        private @Nullable String queue;
        private Envelope envelope = Envelope.builder().build();
        private MetricsSink metrics = MetricsSink.NOOP;
        private SendRetry retry = SendRetry.defaults();

        private Builder() {}

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

        /** @param envelope what writes the headers, signs and compresses (default: unsigned, gzip above 64 KiB) @return this */
        public Builder envelope(Envelope envelope) {
            this.envelope = Objects.requireNonNull(envelope, "envelope");
            return this;
        }

        /** @param metrics where send metrics go @return this */
        public Builder metrics(MetricsSink metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** @param retry attempts and backoff for what failed transiently (default {@link SendRetry#defaults()}) @return this */
        public Builder retry(SendRetry retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
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
            return new ServiceBusMessageSender(this);
        }
    }
}
