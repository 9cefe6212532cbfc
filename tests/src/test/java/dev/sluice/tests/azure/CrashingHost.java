package dev.sluice.tests.azure;

import dev.sluice.azure.MessagePublisher;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusBatch;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Functions host on a session queue, as {@code FunctionsHostSimulator} models it, plus the one thing
 * that simulator cannot do: die. When the function's process crashes, nothing after the crash happens —
 * no idempotency write, no re-publish, no settlement: the batch's peek-locks and the session lock simply
 * lapse and Service Bus redelivers the messages with their delivery count raised.
 *
 * <p>{@link #crashNow()} is called by a test's decorators from inside the pipeline; from then until the
 * invocation ends, {@link #isDead()} is true, the {@link #publisher()} drops sends, and the host does not
 * complete or abandon anything.
 */
final class CrashingHost {
    /** The function under test. */
    @FunctionalInterface
    interface BatchFunction {
        void invoke(ServiceBusBatch batch) throws Exception;
    }

    private final InMemoryServiceBus broker;
    private final ManualClock clock;
    private final String queue;
    private final int maxBatchSize;
    private final AtomicBoolean dead = new AtomicBoolean();
    private BatchFunction function = batch -> {
        throw new IllegalStateException("no function set");
    };
    private int invocations;
    private int crashedInvocations;
    private int failedInvocations;

    CrashingHost(InMemoryServiceBus broker, ManualClock clock, String queue, int maxBatchSize) {
        this.broker = broker;
        this.clock = clock;
        this.queue = queue;
        this.maxBatchSize = maxBatchSize;
    }

    void function(BatchFunction function) {
        this.function = function;
    }

    /** The process dies now: the rest of this invocation has no effect outside the process. */
    void crashNow() {
        dead.set(true);
    }

    boolean isDead() {
        return dead.get();
    }

    /** The function's view of the broker: sends made after a crash never leave the dead process. */
    MessagePublisher publisher() {
        return (target, messages) -> {
            if (!dead.get()) {
                broker.publish(target, messages);
            }
        };
    }

    /** @return whether a batch was delivered */
    boolean deliverOnce() {
        List<ReceivedMessage> batch = broker.receiveSession(queue, maxBatchSize);
        if (batch.isEmpty()) {
            return false;
        }
        invocations++;
        dead.set(false);
        Throwable failure = null;
        try {
            function.invoke(bind(batch));
        } catch (Throwable t) {
            failure = t;
        }
        if (dead.getAndSet(false)) {
            // the worker process is gone: its locks and the session lock lapse on their own
            crashedInvocations++;
            return true;
        }
        for (ReceivedMessage message : batch) {
            if (failure == null) {
                broker.complete(queue, message);
            } else {
                broker.abandon(queue, message);
            }
        }
        if (failure != null) {
            failedInvocations++;
        }
        broker.releaseSession(queue, batch.getFirst().sessionId());
        return true;
    }

    /** Delivers until nothing is left, moving the clock to the next schedule or lock expiry when idle. */
    void runUntilIdle(int maxInvocations) {
        int start = invocations;
        while (invocations - start < maxInvocations) {
            if (deliverOnce()) {
                continue;
            }
            Optional<Instant> wake = broker.nextActivation().or(broker::nextLockExpiry);
            if (wake.isEmpty()) {
                return;
            }
            clock.advanceTo(wake.get());
        }
        throw new IllegalStateException("still busy after " + maxInvocations + " invocations");
    }

    int invocations() {
        return invocations;
    }

    int crashedInvocations() {
        return crashedInvocations;
    }

    int failedInvocations() {
        return failedInvocations;
    }

    /** The arrays the Java worker binds; property values go through JSON as in the host. */
    private static ServiceBusBatch bind(List<ReceivedMessage> batch) {
        int n = batch.size();
        String[] bodies = new String[n];
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
            bodies[i] = new String(m.body(), StandardCharsets.UTF_8);
            ids[i] = m.messageId();
            deliveryCounts[i] = m.deliveryCount();
            Map<String, Object> json = new LinkedHashMap<>();
            m.applicationProperties().forEach((k, v) -> json.put(k, v.matches("-?\\d{1,15}") ? (Object) Double.parseDouble(v) : v));
            properties[i] = json;
            sessions[i] = m.sessionId();
            enqueued[i] = m.enqueuedAt().toString();
            correlations[i] = m.correlationId();
            contentTypes[i] = m.contentType();
        }
        return ServiceBusBatch.builder().bodies(bodies).messageIds(ids).deliveryCounts(deliveryCounts)
                .applicationProperties(properties).sessionIds(sessions).enqueuedTimesUtc(enqueued)
                .correlationIds(correlations).contentTypes(contentTypes).build();
    }

    static OutgoingMessage message(String id, String body, String session) {
        return new OutgoingMessage(id, body.getBytes(StandardCharsets.UTF_8), Map.of("correlation-id", "corr-" + id),
                session, null, "application/json", null);
    }
}
