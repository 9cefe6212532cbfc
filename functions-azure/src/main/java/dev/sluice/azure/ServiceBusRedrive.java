package dev.sluice.azure;

import dev.sluice.core.redrive.AttributeValue;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.RedriveTarget;
import dev.sluice.core.redrive.SluiceAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Service Bus sources and targets for the core {@link dev.sluice.core.redrive.RedriveEngine}, which
 * brings the filters, dry run, {@code --max}, rate limit and audit record shared with AWS. Sources are a
 * queue's native {@code $DeadLetterQueue} (messages Service Bus moved after {@code maxDeliveryCount}) and
 * its parking queue (messages Sluice dead-lettered). A redriven copy keeps body, session id, correlation
 * id and application properties; the failure description, Service Bus's dead-letter properties and
 * {@code sluice-attempt} are dropped and {@code sluice-redrive-count} is added, so idempotency still
 * recognises messages that had already succeeded. Property types (binary included) and the content type come from
 * the dead letter itself, so a copy restored from an export keeps them too. The original is completed only after its
 * copy is sent.
 *
 * <pre>{@code
 * ServiceBusRedrive redrive = ServiceBusRedrive.of(messaging, messaging);
 * engine.run(request, redrive.parkingQueue("orders-parking"), redrive.queue("orders"), listener);
 * }</pre>
 */
public final class ServiceBusRedrive {
    /** Properties Service Bus sets when it dead-letters a message; dropped from redriven copies. */
    public static final Set<String> SERVICE_BUS_DEAD_LETTER_PROPERTIES =
            Set.of("DeadLetterReason", "DeadLetterErrorDescription", "DeadLetterSource");

    private final QueueReader reader;
    private final MessagePublisher publisher;
    private final Duration receiveWait;
    // the messages received and not yet settled, by handle: the lock a remove or release settles
    private final Map<String, ReceivedMessage> locked = new ConcurrentHashMap<>();

    private ServiceBusRedrive(QueueReader reader, MessagePublisher publisher, Duration receiveWait) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.receiveWait = Objects.requireNonNull(receiveWait, "receiveWait");
    }

    /**
     * @param reader where dead letters are read (e.g. {@link ServiceBusMessaging})
     * @param publisher where copies are sent (e.g. the same {@link ServiceBusMessaging})
     * @return redrive sources and targets on them, waiting up to 5 s for each receive
     */
    public static ServiceBusRedrive of(QueueReader reader, MessagePublisher publisher) {
        return new ServiceBusRedrive(reader, publisher, Duration.ofSeconds(5));
    }

    /**
     * @param receiveWait how long a receive waits for the first message before the scan ends
     * @return a copy using that wait
     */
    public ServiceBusRedrive withReceiveWait(Duration receiveWait) {
        return new ServiceBusRedrive(reader, publisher, receiveWait);
    }

    /** @param queue a queue @return its native dead-letter sub-queue as a redrive source */
    public DeadLetterSource deadLetterQueue(String queue) {
        return new Source(QueueReader.deadLetterQueueOf(requireName(queue, "queue")));
    }

    /** @param parkingQueue a parking queue (e.g. {@code orders-parking}) @return it as a redrive source */
    public DeadLetterSource parkingQueue(String parkingQueue) {
        return new Source(requireName(parkingQueue, "parkingQueue"));
    }

    /** @param queue the queue copies go back to @return it as a redrive target */
    public RedriveTarget queue(String queue) {
        return new Target(requireName(queue, "queue"));
    }

    private static String requireName(String name, String property) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(property + " is required");
        }
        return name;
    }

    private final class Source implements DeadLetterSource {
        private final String path;

        Source(String path) {
            this.path = path;
        }

        @Override
        public String name() {
            return path;
        }

        @Override
        public List<DeadLetter> receive(int max) {
            List<DeadLetter> letters = new ArrayList<>();
            for (ReceivedMessage message : reader.receive(path, max, receiveWait)) {
                String handle = path + "|" + message.lockToken();
                locked.put(handle, message);
                letters.add(message.toDeadLetter(handle));
            }
            return letters;
        }

        @Override
        public void remove(DeadLetter deadLetter) {
            reader.complete(path, take(deadLetter));
        }

        @Override
        public void release(DeadLetter deadLetter) {
            reader.abandon(path, take(deadLetter));
        }

        private ReceivedMessage take(DeadLetter deadLetter) {
            ReceivedMessage message = locked.remove(deadLetter.handle());
            if (message == null) {
                throw new IllegalStateException("dead letter " + deadLetter.providerMessageId() + " is not held by this redrive");
            }
            return message;
        }
    }

    private final class Target implements RedriveTarget {
        private final String queue;

        Target(String queue) {
            this.queue = queue;
        }

        @Override
        public String name() {
            return queue;
        }

        @Override
        public void send(DeadLetter deadLetter, byte[] body, Map<String, String> attributes) {
            Map<String, String> properties = new LinkedHashMap<>(attributes);
            properties.keySet().removeAll(SERVICE_BUS_DEAD_LETTER_PROPERTIES);
            properties.putIfAbsent(SluiceAttributes.ORIGINAL_MESSAGE_ID, deadLetter.originalMessageId());
            Map<String, AttributeValue> typed = deadLetter.typed(properties);
            typed.keySet().removeAll(SERVICE_BUS_DEAD_LETTER_PROPERTIES);
            publisher.publish(queue, List.of(new OutgoingMessage(UUID.randomUUID().toString(), body, properties,
                    deadLetter.groupId(), deadLetter.systemProperties().get(DeadLetter.CORRELATION_ID), deadLetter.contentType(),
                    null, typed)));
        }
    }
}
