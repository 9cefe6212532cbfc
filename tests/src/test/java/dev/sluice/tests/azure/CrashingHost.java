package dev.sluice.tests.azure;

import dev.sluice.azure.MessagePublisher;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusBatch;
import dev.sluice.azure.testing.FunctionsHostSimulator;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Functions host on a session queue, as {@code FunctionsHostSimulator} models it (one session per
 * batch, complete on return, abandon on throw), running up to {@code parallelism} session batches at a
 * time as the host's {@code maxConcurrentSessions} does, plus the one thing that simulator cannot do: die.
 * When the worker process running a batch crashes, nothing after the crash happens — no idempotency
 * write, no re-publish, no settlement: the batch's peek-locks and the session lock simply lapse and
 * Service Bus redelivers the messages with their delivery count raised.
 *
 * <p>{@link #crashNow()} is called by a test's decorators from inside the pipeline; from then until the
 * invocation ends, {@link #isDead()} is true on every thread of that invocation, the {@link #publisher()}
 * drops its sends, and the host neither completes nor abandons its messages. Each invocation is its own
 * process here: a crash kills only the batch it runs.
 */
final class CrashingHost {
    /** The function under test. */
    @FunctionalInterface
    interface BatchFunction {
        void invoke(ServiceBusBatch batch) throws Exception;
    }

    /** One invocation's process; the pipeline's virtual threads inherit it. */
    private static final class Process {
        final AtomicBoolean dead = new AtomicBoolean();
    }

    private final InMemoryServiceBus broker;
    private final ManualClock clock;
    private final String queue;
    private final int maxBatchSize;
    private final int parallelism;
    private final InheritableThreadLocal<Process> current = new InheritableThreadLocal<>();
    private BatchFunction function = batch -> {
        throw new IllegalStateException("no function set");
    };
    private final AtomicInteger invocations = new AtomicInteger();
    private final AtomicInteger crashedInvocations = new AtomicInteger();
    private final AtomicInteger failedInvocations = new AtomicInteger();
    private final AtomicInteger republished = new AtomicInteger();
    private final AtomicInteger delivered = new AtomicInteger();

    CrashingHost(InMemoryServiceBus broker, ManualClock clock, String queue, int maxBatchSize, int parallelism) {
        this.broker = broker;
        this.clock = clock;
        this.queue = queue;
        this.maxBatchSize = maxBatchSize;
        this.parallelism = parallelism;
    }

    void function(BatchFunction function) {
        this.function = function;
    }

    /** The process running the calling thread's invocation dies now. */
    void crashNow() {
        Process process = current.get();
        if (process == null) {
            throw new IllegalStateException("crashNow outside an invocation");
        }
        process.dead.set(true);
    }

    /** @return whether the process running the calling thread's invocation has died */
    boolean isDead() {
        Process process = current.get();
        return process != null && process.dead.get();
    }

    /** The function's view of the broker: sends made after a crash never leave the dead process. */
    MessagePublisher publisher() {
        return (target, messages) -> {
            if (!isDead()) {
                broker.publish(target, messages);
                if (target.equals(queue)) {
                    republished.addAndGet(messages.size());
                }
            }
        };
    }

    /** @return copies the function re-published to the queue (retries), the send amplification */
    int republished() {
        return republished.get();
    }

    /** @return messages delivered to the function, redeliveries included */
    int delivered() {
        return delivered.get();
    }

    /** Delivers until nothing is left, moving the clock to the next schedule or lock expiry when idle. */
    void runUntilIdle(int maxInvocations) {
        int start = invocations.get();
        try (ExecutorService workers = Executors.newFixedThreadPool(parallelism)) {
            while (invocations.get() - start < maxInvocations) {
                List<List<ReceivedMessage>> round = new ArrayList<>();
                for (int i = 0; i < parallelism; i++) {
                    List<ReceivedMessage> batch = broker.receiveSession(queue, maxBatchSize);
                    if (batch.isEmpty()) {
                        break;
                    }
                    round.add(batch);
                }
                if (round.isEmpty()) {
                    Optional<Instant> wake = broker.nextActivation().or(broker::nextLockExpiry);
                    if (wake.isEmpty()) {
                        return;
                    }
                    clock.advanceTo(wake.get());
                    continue;
                }
                List<Future<?>> running = round.stream().map(batch -> workers.submit(() -> invoke(batch))).collect(
                        java.util.stream.Collectors.toList());
                for (Future<?> f : running) {
                    try {
                        f.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("host failed", e.getCause());
                    }
                }
            }
        }
        throw new IllegalStateException("still busy after " + maxInvocations + " invocations");
    }

    private void invoke(List<ReceivedMessage> batch) {
        invocations.incrementAndGet();
        delivered.addAndGet(batch.size());
        Process process = new Process();
        current.set(process);
        Throwable failure = null;
        broker.startRenewing(queue, batch);
        try {
            function.invoke(FunctionsHostSimulator.bind(batch));
        } catch (Throwable t) {
            failure = t;
        } finally {
            current.remove();
        }
        if (process.dead.get()) {
            // the process died: nothing renews these locks any more
            broker.stopRenewing(queue, batch);
            // the worker process is gone: its locks and the session lock lapse on their own
            crashedInvocations.incrementAndGet();
            return;
        }
        for (ReceivedMessage message : batch) {
            if (failure == null) {
                broker.complete(queue, message);
            } else {
                broker.abandon(queue, message);
            }
        }
        if (failure != null) {
            failedInvocations.incrementAndGet();
        }
        broker.releaseSession(queue, batch.getFirst().sessionId());
    }

    int invocations() {
        return invocations.get();
    }

    int crashedInvocations() {
        return crashedInvocations.get();
    }

    int failedInvocations() {
        return failedInvocations.get();
    }

    static OutgoingMessage message(String id, String body, String session) {
        return new OutgoingMessage(id, body.getBytes(StandardCharsets.UTF_8), Map.of("correlation-id", "corr-" + id),
                session, null, "application/json", null);
    }
}
