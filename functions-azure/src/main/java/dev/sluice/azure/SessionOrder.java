package dev.sluice.azure;

import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.spi.MetricsSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Session order by abandon, for the Service Bus consumer: which retry blocks a session batch, the wait before the host
 * abandons it (holding the session lock), and the session counts a batch adds to the metrics.
 */
final class SessionOrder {
    /** How the wait is spent (the consumer's sleeper). */
    @FunctionalInterface
    interface Wait {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final boolean enabled;
    private final String queueName;
    private final Duration invocationTimeout;
    private final Duration sessionWaitMax;
    private final Wait sleeper;
    private final Clock clock;
    private final StructuredLog log;
    private final MetricsSink metrics;

    /**
     * @param enabled whether a session batch with a retry is abandoned: asked for, and the pipeline counts attempts
     *     per message (an idempotency store), so an abandon costs the neighbours no attempt
     */
    SessionOrder(boolean enabled, String queueName, Duration invocationTimeout, Duration sessionWaitMax,
                 Wait sleeper, Clock clock, StructuredLog log, MetricsSink metrics) {
        this.enabled = enabled;
        this.queueName = queueName;
        this.invocationTimeout = invocationTimeout;
        this.sessionWaitMax = sessionWaitMax;
        this.sleeper = sleeper;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
    }

    /**
     * The retry that blocks a session batch, when the batch is abandoned for it: every message of the batch is of one
     * session, the pipeline counts attempts per message (an idempotency store), and a message must be retried. Then no
     * copy is sent: the abandon returns the batch to the session in order.
     */
    Optional<MessageOutcome.Retry> blockingRetry(BatchResult result) {
        if (!enabled || result.outcomes().isEmpty()) {
            return Optional.empty();
        }
        String session = result.outcomes().getFirst().message().groupKey().orElse(null);
        if (session == null) {
            return Optional.empty();
        }
        MessageOutcome.Retry first = null;
        for (MessageOutcome outcome : result.outcomes()) {
            if (!session.equals(outcome.message().groupKey().orElse(null))) {
                return Optional.empty();
            }
            if (first == null && outcome instanceof MessageOutcome.Retry retry) {
                first = retry;
            }
        }
        return Optional.ofNullable(first);
    }

    /**
     * Waits the retry's backoff, holding the session lock (the host renews it), at most {@code sessionWaitMax} and
     * what the invocation has left less 2 s; then returns the exception that makes the host abandon the batch.
     */
    SessionRetryException waitAndAbandon(MessageOutcome.Retry retry, BatchResult result, Instant started) {
        count(result);
        Duration left = Duration.between(clock.instant(), started.plus(invocationTimeout)).minusSeconds(2);
        Duration wait = retry.delay();
        if (wait.compareTo(sessionWaitMax) > 0) {
            wait = sessionWaitMax;
        }
        if (wait.compareTo(left) > 0) {
            wait = left.isNegative() ? Duration.ZERO : left;
        }
        String session = retry.message().groupKey().orElse("");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("operation", "session_retry");
        fields.put("session_id", session);
        fields.put("message_id", retry.message().id());
        fields.put("wait_ms", wait.toMillis());
        fields.put("batch_size", result.outcomes().size());
        log.log(LogSink.Level.INFO, "session batch abandoned after the retry's backoff, so the session keeps its order", fields,
                null);
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new SessionRetryException(session, retry.message().providerMessageId(), wait);
    }

    /** On a session-enabled queue: the sessions this batch processed, and those a retry blocks. */
    void count(BatchResult result) {
        java.util.Set<String> sessions = new java.util.HashSet<>();
        java.util.Set<String> blocked = new java.util.HashSet<>();
        for (MessageOutcome outcome : result.outcomes()) {
            outcome.message().groupKey().ifPresent(session -> {
                sessions.add(session);
                if (outcome instanceof MessageOutcome.Retry) {
                    blocked.add(session);
                }
            });
        }
        if (sessions.isEmpty()) {
            return;
        }
        Map<String, String> dimensions = Map.of(SluiceMetrics.DIM_QUEUE, queueName);
        metrics.count(SluiceMetrics.SESSIONS_PROCESSED, sessions.size(), dimensions);
        if (!blocked.isEmpty()) {
            metrics.count(SluiceMetrics.SESSIONS_BLOCKED, blocked.size(), dimensions);
        }
        try {
            metrics.flush();
        } catch (RuntimeException e) {
            log.log(LogSink.Level.WARN, "metrics flush failed", Map.of("operation", "metrics"), e);
        }
    }

}
