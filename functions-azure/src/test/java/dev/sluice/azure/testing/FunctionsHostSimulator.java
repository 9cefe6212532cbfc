package dev.sluice.azure.testing;

import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusBatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the Azure Functions host does for a Service Bus trigger with {@code cardinality = MANY} and
 * {@code autoCompleteMessages = true}: receive a batch in peek-lock mode (one session at a time on a
 * session queue), pass the bodies and the metadata arrays to the function as the Java worker does
 * (application property values through JSON, so numbers arrive as doubles; times as ISO-8601 text),
 * then complete every message when the function returns, or abandon every message when it throws. While the
 * function runs the host renews the locks (the batch's and the session's).
 * When nothing is visible it moves the clock to the next scheduled message or lock expiry, so
 * backoffs pass without sleeping.
 */
public final class FunctionsHostSimulator {
    /** The function under test. */
    @FunctionalInterface
    public interface BatchFunction {
        /** @param batch what the trigger delivered @throws Exception to make the host abandon the batch */
        void invoke(ServiceBusBatch batch) throws Exception;
    }

    /**
     * One invocation.
     *
     * @param at the clock time of the invocation
     * @param messageIds the delivered message ids, in order
     * @param bodies the delivered bodies as text
     * @param sessionId the session of the batch, if any
     * @param failure what the function threw, or null when the host completed the batch
     */
    public record Invocation(Instant at, List<String> messageIds, List<String> bodies, @Nullable String sessionId,
                             @Nullable Throwable failure) {
        /** @return whether the host completed the batch */
        public boolean completed() {
            return failure == null;
        }
    }

    private final InMemoryServiceBus broker;
    private final ManualClock clock;
    private final String queue;
    private final boolean sessions;
    private final int maxBatchSize;
    private final BatchFunction function;
    private final List<Invocation> invocations = new ArrayList<>();

    /**
     * @param broker the broker model
     * @param clock its clock
     * @param queue the trigger's queue
     * @param sessions whether the trigger has {@code isSessionsEnabled = true}
     * @param maxBatchSize host.json's {@code maxMessageBatchSize}
     * @param function the function
     */
    public FunctionsHostSimulator(InMemoryServiceBus broker, ManualClock clock, String queue, boolean sessions,
                                  int maxBatchSize, BatchFunction function) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.sessions = sessions;
        this.maxBatchSize = maxBatchSize;
        this.function = Objects.requireNonNull(function, "function");
    }

    /** @return the invocation if a batch was visible now, else empty */
    public Optional<Invocation> deliverOnce() {
        List<ReceivedMessage> batch = sessions ? broker.receiveSession(queue, maxBatchSize)
                : broker.receive(queue, maxBatchSize, java.time.Duration.ZERO);
        if (batch.isEmpty()) {
            return Optional.empty();
        }
        Throwable failure = null;
        broker.startRenewing(queue, batch);
        try {
            function.invoke(bind(batch));
        } catch (Throwable t) {
            failure = t;
        }
        // settled while still renewed: the host settles as the function returns
        for (ReceivedMessage message : batch) {
            if (failure == null) {
                broker.complete(queue, message);
            } else {
                broker.abandon(queue, message);
            }
        }
        String session = sessions ? batch.getFirst().sessionId() : null;
        if (session != null) {
            broker.releaseSession(queue, session);
        }
        Invocation invocation = new Invocation(clock.instant(),
                batch.stream().map(ReceivedMessage::messageId).toList(),
                batch.stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)).toList(),
                session, failure);
        invocations.add(invocation);
        return Optional.of(invocation);
    }

    /**
     * Delivers batches until the queue is empty, advancing the clock past backoffs.
     *
     * @param maxInvocations a bound against livelock
     * @return the invocations of this run
     */
    public List<Invocation> runUntilIdle(int maxInvocations) {
        List<Invocation> run = new ArrayList<>();
        while (run.size() < maxInvocations) {
            Optional<Invocation> next = deliverOnce();
            if (next.isPresent()) {
                run.add(next.get());
                continue;
            }
            Optional<Instant> wake = broker.nextActivation().or(broker::nextLockExpiry);
            if (wake.isEmpty()) {
                return run;
            }
            clock.advanceTo(wake.get());
        }
        throw new IllegalStateException("still busy after " + maxInvocations + " invocations: " + run);
    }

    /** @return every invocation so far */
    public List<Invocation> invocations() {
        return List.copyOf(invocations);
    }

    /**
     * The arrays the Java worker binds, built from received messages as the host serialises them; other
     * host models (e.g. one that crashes) reuse it.
     *
     * @param batch messages as received
     * @return the trigger's arrays
     */
    public static ServiceBusBatch bind(List<ReceivedMessage> batch) {
        int n = batch.size();
        // a binary binding (dataType "binary"): the worker hands the exact bytes, as byte[][]
        byte[][] bodies = new byte[n][];
        String[] ids = new String[n];
        int[] deliveryCounts = new int[n];
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, Object>[] properties = new Map[n];
        String[] sessions = new String[n];
        String[] enqueued = new String[n];
        String[] correlations = new String[n];
        String[] contentTypes = new String[n];
        for (int i = 0; i < n; i++) {
            ReceivedMessage m = batch.get(i);
            bodies[i] = m.body();
            ids[i] = m.messageId();
            deliveryCounts[i] = m.deliveryCount();
            properties[i] = throughJson(m.applicationProperties());
            sessions[i] = m.sessionId();
            enqueued[i] = m.enqueuedAt().toString();
            correlations[i] = m.correlationId();
            contentTypes[i] = m.contentType();
        }
        return ServiceBusBatch.builder().bodies(bodies).messageIds(ids).deliveryCounts(deliveryCounts)
                .applicationProperties(properties).sessionIds(sessions).enqueuedTimesUtc(enqueued)
                .correlationIds(correlations).contentTypes(contentTypes).build();
    }

    /** Properties that look numeric arrive as JSON numbers, which the worker turns into doubles. */
    private static Map<String, Object> throughJson(Map<String, String> properties) {
        Map<String, Object> json = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (v.matches("-?\\d{1,15}")) {
                json.put(k, Double.parseDouble(v));
            } else {
                json.put(k, v);
            }
        });
        return json;
    }
}
