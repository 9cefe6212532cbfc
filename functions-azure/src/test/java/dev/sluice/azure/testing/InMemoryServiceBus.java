package dev.sluice.azure.testing;

import dev.sluice.azure.MessagePublisher;
import dev.sluice.azure.MessageRejectedException;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.QueueInspector;
import dev.sluice.azure.QueueReader;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.core.redrive.QueueStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;

/**
 * A model of a Service Bus namespace in memory, for tests without a broker. It models: queues in FIFO
 * (activation, sequence number) order; peek-lock with lock tokens, a lock duration and lock expiry;
 * delivery count (incremented per delivery); {@code maxDeliveryCount}, after which an abandoned or
 * lapsed message moves to {@code <queue>/$DeadLetterQueue} with {@code DeadLetterReason}; scheduled
 * enqueue; sessions (a session is locked by one receiver and delivered in order); injectable send
 * failures; and injectable refusals of single messages, as Service Bus refuses a message it cannot take
 * (over a property or size limit): the others of the send are stored and the send throws
 * {@link MessageRejectedException}. Application properties are stored as given: like Service Bus's AMQP
 * strings, any text is accepted. Time is the injected {@link Clock}.
 *
 * <p>It does not model: duplicate detection, message TTL and expiry dead-lettering, lock renewal,
 * prefetch, transactions, topics and subscriptions, size limits, throttling, partitioned entities,
 * deferral, or the partial failure of a batch send other than an injected refusal (a send that fails
 * here sends nothing).
 */
public final class InMemoryServiceBus implements MessagePublisher, QueueReader, QueueInspector {
    /**
     * A queue's settings.
     *
     * @param maxDeliveryCount deliveries before Service Bus dead-letters a message
     * @param lockDuration how long a peek-lock lasts
     * @param sessions whether the queue requires sessions
     */
    public record QueueSettings(int maxDeliveryCount, Duration lockDuration, boolean sessions) {
        /** @return 10 deliveries, 1 minute locks, no sessions (Service Bus defaults) */
        public static QueueSettings defaults() {
            return new QueueSettings(10, Duration.ofMinutes(1), false);
        }

        /** @return defaults with sessions on */
        public static QueueSettings withSessions() {
            return new QueueSettings(10, Duration.ofMinutes(1), true);
        }
    }

    /** A message as the broker holds it; tests may inspect it. */
    public static final class Stored {
        final OutgoingMessage message;
        final long sequenceNumber;
        final Instant activeAt;
        final Map<String, String> properties;
        int deliveryCount;
        @Nullable String lockToken;
        @Nullable Instant lockedUntil;
        // the host renews this message's lock while its function runs (maxAutoLockRenewalDuration)
        boolean renewing;

        Stored(OutgoingMessage message, long sequenceNumber, Instant activeAt, Map<String, String> properties, int deliveryCount) {
            this.message = message;
            this.sequenceNumber = sequenceNumber;
            this.activeAt = activeAt;
            this.properties = properties;
            this.deliveryCount = deliveryCount;
        }

        /** @return the message as sent */
        public OutgoingMessage message() {
            return message;
        }

        /** @return application properties (dead-letter reasons included) */
        public Map<String, String> properties() {
            return Map.copyOf(properties);
        }

        /** @return when it becomes (or became) visible */
        public Instant activeAt() {
            return activeAt;
        }

        /** @return deliveries so far */
        public int deliveryCount() {
            return deliveryCount;
        }

        /** @return the body as UTF-8 text */
        public String bodyText() {
            return new String(message.body(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final class Queue {
        final String name;
        final QueueSettings settings;
        final List<Stored> messages = new ArrayList<>();
        final Map<String, Instant> lockedSessions = new HashMap<>();

        Queue(String name, QueueSettings settings) {
            this.name = name;
            this.settings = settings;
        }
    }

    private final Clock clock;
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private long sequence;
    private @Nullable BiPredicate<String, List<OutgoingMessage>> failSends;
    private @Nullable BiPredicate<String, OutgoingMessage> rejectMessages;
    private int sendCalls;

    /** @param clock the broker's time */
    public InMemoryServiceBus(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates a queue and its dead-letter sub-queue.
     *
     * @param name the queue's name
     * @param settings its settings
     * @return this
     */
    public synchronized InMemoryServiceBus createQueue(String name, QueueSettings settings) {
        queues.put(name, new Queue(name, settings));
        queues.put(QueueReader.deadLetterQueueOf(name), new Queue(QueueReader.deadLetterQueueOf(name),
                new QueueSettings(Integer.MAX_VALUE, settings.lockDuration(), false)));
        return this;
    }

    /**
     * Makes sends fail while {@code rule} says so (e.g. the next one to the parking queue).
     *
     * @param rule (queue, messages) → fail; null to stop failing
     */
    public synchronized void failSendsWhen(@Nullable BiPredicate<String, List<OutgoingMessage>> rule) {
        this.failSends = rule;
    }

    /**
     * Makes the broker refuse single messages while {@code rule} says so (e.g. a parked copy with an error message).
     *
     * @param rule (queue, message) → refuse; null to stop refusing
     */
    public synchronized void rejectMessagesWhen(@Nullable BiPredicate<String, OutgoingMessage> rule) {
        this.rejectMessages = rule;
    }

    /** @return how many sends (successful or not) were attempted */
    public synchronized int sendCalls() {
        return sendCalls;
    }

    /**
     * A producer's send.
     *
     * @param queue the queue
     * @param message the message
     */
    public void send(String queue, OutgoingMessage message) {
        publish(queue, List.of(message));
    }

    @Override
    public synchronized void publish(String queue, List<OutgoingMessage> messages) {
        Queue q = queue(queue);
        sendCalls++;
        if (failSends != null && failSends.test(queue, messages)) {
            throw new IllegalStateException("injected send failure to " + queue);
        }
        Instant now = clock.instant();
        Set<String> rejected = new LinkedHashSet<>();
        for (OutgoingMessage message : messages) {
            if (q.settings.sessions() && message.sessionId() == null) {
                throw new IllegalArgumentException("queue " + queue + " requires a session id");
            }
            if (rejectMessages != null && rejectMessages.test(queue, message)) {
                rejected.add(message.messageId());
                continue;
            }
            Instant activeAt = message.scheduled().filter(at -> at.isAfter(now)).orElse(now);
            q.messages.add(new Stored(message, ++sequence, activeAt, new LinkedHashMap<>(message.applicationProperties()), 0));
        }
        if (!rejected.isEmpty()) {
            throw new MessageRejectedException(queue, rejected, null);
        }
    }

    @Override
    public synchronized List<ReceivedMessage> receive(String path, int max, Duration wait) {
        Queue q = queue(path);
        if (q.settings.sessions()) {
            throw new IllegalStateException(path + " requires sessions: use receiveSession");
        }
        expireLocks(q);
        List<Stored> available = available(q, null);
        return lock(q, available.subList(0, Math.min(max, available.size())));
    }

    /**
     * What the Functions host does on a session-enabled queue: lock the first session with available
     * messages and receive up to {@code max} of them, in order.
     *
     * @param queue the queue
     * @param max the batch size
     * @return the session's messages; empty when no unlocked session has any
     */
    public synchronized List<ReceivedMessage> receiveSession(String queue, int max) {
        Queue q = queue(queue);
        expireLocks(q);
        Instant now = clock.instant();
        q.lockedSessions.values().removeIf(until -> !until.isAfter(now));
        for (Stored candidate : available(q, null)) {
            String session = candidate.message.sessionId();
            if (session != null && !q.lockedSessions.containsKey(session)) {
                List<Stored> ofSession = available(q, session);
                q.lockedSessions.put(session, now.plus(q.settings.lockDuration()));
                return lock(q, ofSession.subList(0, Math.min(max, ofSession.size())));
            }
        }
        return List.of();
    }

    /**
     * @param queue a queue
     * @param sessionId a session to unlock (the host closes the session receiver after the batch)
     */
    public synchronized void releaseSession(String queue, String sessionId) {
        queue(queue).lockedSessions.remove(sessionId);
    }

    @Override
    public synchronized void complete(String path, ReceivedMessage message) {
        Queue q = queue(path);
        Stored stored = locked(q, message);
        q.messages.remove(stored);
    }

    @Override
    public synchronized void abandon(String path, ReceivedMessage message) {
        Queue q = queue(path);
        unlock(q, locked(q, message));
    }

    /**
     * What the Functions host does while a function runs: it renews the locks of the messages it delivered (and the
     * session lock), so they do not lapse however long the function takes (up to {@code maxAutoLockRenewalDuration},
     * not modelled). Call right after receiving.
     *
     * @param path where they were received
     * @param messages the delivered messages
     */
    public synchronized void startRenewing(String path, List<ReceivedMessage> messages) {
        renewing(path, messages, true);
    }

    /**
     * Renewal ends without a settlement (the function's process died): each lock lapses a lock duration from now.
     * Settling a message ends its renewal too.
     *
     * @param path where they were received
     * @param messages the delivered messages
     */
    public synchronized void stopRenewing(String path, List<ReceivedMessage> messages) {
        renewing(path, messages, false);
    }

    private void renewing(String path, List<ReceivedMessage> messages, boolean on) {
        Queue q = queue(path);
        Instant until = clock.instant().plus(q.settings.lockDuration());
        for (ReceivedMessage m : messages) {
            for (Stored s : q.messages) {
                if (m.lockToken().equals(s.lockToken)) {
                    s.renewing = on;
                    s.lockedUntil = until;
                    String session = s.message.sessionId();
                    if (session != null && q.lockedSessions.containsKey(session)) {
                        q.lockedSessions.put(session, until);
                    }
                }
            }
        }
    }

    /** @param path a queue or dead-letter path @return its messages, scheduled ones included, in queue order */
    public synchronized List<Stored> messages(String path) {
        return queue(path).messages.stream().sorted(ORDER).toList();
    }

    /** @param queue a queue @return the messages Service Bus dead-lettered */
    public synchronized List<Stored> deadLetters(String queue) {
        return messages(QueueReader.deadLetterQueueOf(queue));
    }

    /** @return the earliest activation time of a message not yet visible, in any queue */
    public synchronized Optional<Instant> nextActivation() {
        Instant now = clock.instant();
        return queues.values().stream().flatMap(q -> q.messages.stream())
                .map(s -> s.activeAt).filter(at -> at.isAfter(now)).min(Comparator.naturalOrder());
    }

    /** @return the earliest lock expiry of a locked message, in any queue */
    public synchronized Optional<Instant> nextLockExpiry() {
        return queues.values().stream().flatMap(q -> q.messages.stream())
                .map(s -> s.lockedUntil).filter(Objects::nonNull).min(Comparator.naturalOrder());
    }

    private static final Comparator<Stored> ORDER =
            Comparator.comparing((Stored s) -> s.activeAt).thenComparingLong(s -> s.sequenceNumber);

    private Queue queue(String path) {
        Queue q = queues.get(path);
        if (q == null) {
            throw new IllegalArgumentException("no queue '" + path + "' (entity not found)");
        }
        return q;
    }

    private List<Stored> available(Queue q, @Nullable String session) {
        Instant now = clock.instant();
        return q.messages.stream()
                .filter(s -> s.lockToken == null && !s.activeAt.isAfter(now))
                .filter(s -> session == null || session.equals(s.message.sessionId()))
                .sorted(ORDER)
                .toList();
    }

    private List<ReceivedMessage> lock(Queue q, List<Stored> batch) {
        Instant now = clock.instant();
        List<ReceivedMessage> received = new ArrayList<>();
        for (Stored s : batch) {
            s.deliveryCount++;
            s.lockToken = UUID.randomUUID().toString();
            s.lockedUntil = now.plus(q.settings.lockDuration());
            received.add(received(s, s.lockToken));
        }
        return received;
    }

    private static ReceivedMessage received(Stored s, String lockToken) {
        OutgoingMessage m = s.message;
        Map<String, String> system = new LinkedHashMap<>();
        system.put("SequenceNumber", Long.toString(s.sequenceNumber));
        system.put("DeliveryCount", Integer.toString(s.deliveryCount));
        system.put("EnqueuedTimeUtc", s.activeAt.toString());
        return new ReceivedMessage(lockToken, m.messageId(), m.body(), s.properties, m.sessionId(), m.correlationId(),
                m.contentType(), s.activeAt, s.deliveryCount, m.typedProperties(), system);
    }

    /** Service Bus counts active messages (scheduled ones are not); in a dead-letter sub-queue every message. */
    @Override
    public synchronized QueueStats stats(String path) {
        Instant now = clock.instant();
        return new QueueStats(path, queue(path).messages.stream().filter(s -> !s.activeAt.isAfter(now)).count(), 0, null);
    }

    /** Peeks from the front in sequence order, locked messages included (as Service Bus does), without locking. */
    @Override
    public synchronized List<ReceivedMessage> peek(String path, int max) {
        Instant now = clock.instant();
        return queue(path).messages.stream().filter(s -> !s.activeAt.isAfter(now))
                .sorted(Comparator.comparingLong((Stored s) -> s.sequenceNumber)).limit(max)
                .map(s -> received(s, "peek-" + s.sequenceNumber)).toList();
    }

    private Stored locked(Queue q, ReceivedMessage message) {
        expireLocks(q);
        return q.messages.stream().filter(s -> message.lockToken().equals(s.lockToken)).findFirst()
                .orElseThrow(() -> new IllegalStateException("lock of message " + message.messageId()
                        + " was lost (MessageLockLostException)"));
    }

    private void expireLocks(Queue q) {
        Instant now = clock.instant();
        for (Stored s : List.copyOf(q.messages)) {
            if (s.lockedUntil != null && !s.renewing && !s.lockedUntil.isAfter(now)) {
                unlock(q, s);
            }
        }
    }

    private void unlock(Queue q, Stored s) {
        s.lockToken = null;
        s.lockedUntil = null;
        s.renewing = false;
        if (s.deliveryCount >= q.settings.maxDeliveryCount()) {
            q.messages.remove(s);
            Map<String, String> properties = new LinkedHashMap<>(s.properties);
            properties.put("DeadLetterReason", "MaxDeliveryCountExceeded");
            properties.put("DeadLetterErrorDescription", "Message could not be consumed after "
                    + q.settings.maxDeliveryCount() + " delivery attempts.");
            Queue dlq = queue(QueueReader.deadLetterQueueOf(q.name));
            dlq.messages.add(new Stored(s.message, ++sequence, clock.instant(), properties, s.deliveryCount));
        }
    }

    /** @return names of all queues and dead-letter sub-queues */
    public synchronized Set<String> queueNames() {
        return new HashSet<>(queues.keySet());
    }
}
