package dev.sluice.azure;

import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.QueueStats;
import dev.sluice.core.redrive.RedriveTarget;
import java.util.List;
import java.util.Objects;

/**
 * A Service Bus queue's {@code $DeadLetterQueue}, or its {@code <queue>-parking} queue, behind the
 * {@link DeadLetterQueue} port, redriven to the queue. Browsing peeks (no lock, no delivery count change); redrive goes
 * through {@link ServiceBusRedrive}. Service Bus has no move tasks.
 *
 * <pre>{@code
 * ServiceBusMessaging messaging = ServiceBusMessaging.withConnectionString(connectionString);
 * try (DeadLetterQueue dlq = ServiceBusDeadLetterQueue.of("orders", false, messaging, messaging)) {
 *     dlq.browse(10).forEach(System.out::println);
 * }
 * }</pre>
 */
public final class ServiceBusDeadLetterQueue implements DeadLetterQueue {
    private final String queue;
    private final String sourcePath;
    private final DeadLetterSource source;
    private final RedriveTarget target;
    private final QueueInspector inspector;
    private final AutoCloseable owned;

    private ServiceBusDeadLetterQueue(String queue, boolean parking, ServiceBusRedrive redrive, QueueInspector inspector,
                                      AutoCloseable owned) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.sourcePath = parking ? queue + "-parking" : QueueReader.deadLetterQueueOf(queue);
        this.source = parking ? redrive.parkingQueue(sourcePath) : redrive.deadLetterQueue(queue);
        this.target = redrive.queue(queue);
        this.inspector = Objects.requireNonNull(inspector, "inspector");
        this.owned = Objects.requireNonNull(owned, "owned");
    }

    /**
     * @param queue the consumer queue
     * @param parking read {@code <queue>-parking} (Sluice's dead letters) instead of the dead-letter sub-queue
     * @param messaging receives, sends and inspects; closed with this queue
     * @return the dead-letter queue
     */
    public static ServiceBusDeadLetterQueue of(String queue, boolean parking, ServiceBusMessaging messaging) {
        return new ServiceBusDeadLetterQueue(queue, parking, ServiceBusRedrive.of(messaging, messaging), messaging, messaging);
    }

    /**
     * @param queue the consumer queue
     * @param parking read {@code <queue>-parking} instead of the dead-letter sub-queue
     * @param redrive the redrive sources and targets to use (its reader and publisher)
     * @param inspector counts and peeks
     * @param owned closed with this queue
     * @return the dead-letter queue
     */
    public static ServiceBusDeadLetterQueue of(String queue, boolean parking, ServiceBusRedrive redrive, QueueInspector inspector,
                                              AutoCloseable owned) {
        return new ServiceBusDeadLetterQueue(queue, parking, redrive, inspector, owned);
    }

    @Override
    public QueueStats stats() {
        return inspector.stats(sourcePath);
    }

    @Override
    public List<DeadLetter> browse(int max) {
        return inspector.peek(sourcePath, max).stream()
                .map(m -> m.toDeadLetter(m.systemProperties().getOrDefault("SequenceNumber", m.messageId())))
                .toList();
    }

    @Override
    public DeadLetterSource source() {
        return source;
    }

    @Override
    public RedriveTarget target() {
        return target;
    }

    @Override
    public void close() {
        try {
            owned.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }

    @Override
    public String toString() {
        return "ServiceBusDeadLetterQueue[" + queue + " <- " + sourcePath + "]";
    }
}
