package dev.sluice.core;

import dev.sluice.core.MessageOutcome.DeadLettered;
import dev.sluice.core.MessageOutcome.Duplicate;
import dev.sluice.core.MessageOutcome.Processed;
import dev.sluice.core.MessageOutcome.Retry;
import dev.sluice.core.MessageOutcome.RetryReason;
import dev.sluice.core.internal.CircuitBreaker;
import dev.sluice.core.internal.ErrorFingerprint;
import dev.sluice.core.internal.IdempotencyKeys;
import dev.sluice.core.internal.Lanes;
import dev.sluice.core.internal.StructuredLog;
import dev.sluice.core.internal.Texts;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.spi.MetricsSink;
import dev.sluice.core.spi.RecordStateMachine;
import dev.sluice.core.spi.Release;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The batch pipeline: turns a batch of incoming messages into exactly one {@link MessageOutcome} per
 * message. Per message: verify signature → inflate → decode → idempotency begin → handler → complete or
 * release → outcome. Messages of one group run in order, one at a time, and after a group's first
 * failure its later messages return unprocessed; other groups and ungrouped messages run concurrently
 * on virtual threads, bounded by {@code concurrency}. No message starts with less than
 * {@code safetyMargin} of invocation time left. A circuit breaker that lives as long as the processor
 * (so across the invocations of a warm instance) opens after {@code circuitBreakerThreshold}
 * consecutive retryable handler failures or timeouts; while it is open messages return unprocessed
 * after {@code circuitOpenDelay}, then one probe decides. Permanent failures, poison,
 * {@link RetryLaterException} and store failures neither count nor reset it. A handler's
 * {@link RetryLaterException} replaces the backoff with its delay. Nothing escapes: {@link #process}
 * never throws because of a message.
 *
 * <p>Build once (e.g. in a static field) and reuse: thread-safe.
 *
 * @param <T> the decoded body type
 */
public final class BatchProcessor<T> {
    private static final Duration NO_DEADLINE_WAIT_CAP = Duration.ofDays(1);

    private final MessageHandler<T> handler;
    private final MessageCodec<T> codec;
    private final String queueName;
    private final RetryPolicy retryPolicy;
    private final FailureClassifier classifier;
    private final @Nullable IdempotencyOptions idempotency;
    private final @Nullable MessageSignatures signatures;
    private final int concurrency;
    private final Duration safetyMargin;
    private final CircuitBreaker breaker;
    private final @Nullable Duration handlerTimeout;
    private final int maxPayloadBytes;
    private final Clock clock;
    private final RandomGenerator random;
    private final MetricsSink metrics;
    private final StructuredLog log;
    private final Map<String, String> queueDimension;
    // first failures on record for messages being processed (the store's, not the provider's); removed when done
    private final Map<IncomingMessage, Instant> recordedFirstFailures = new ConcurrentHashMap<>();

    private BatchProcessor(Builder<T> b) {
        this.handler = Objects.requireNonNull(b.handler);
        this.codec = Objects.requireNonNull(b.codec);
        this.queueName = Objects.requireNonNull(b.queueName);
        this.retryPolicy = b.retryPolicy;
        this.classifier = b.classifier;
        this.idempotency = b.idempotency;
        this.signatures = b.signatures;
        this.concurrency = b.concurrency;
        this.safetyMargin = b.safetyMargin;
        this.breaker = new CircuitBreaker(b.circuitBreakerThreshold, b.circuitOpenDelay, b.clock);
        this.handlerTimeout = b.handlerTimeout;
        this.maxPayloadBytes = b.maxPayloadBytes;
        this.clock = b.clock;
        this.random = b.random;
        this.metrics = b.metrics;
        this.log = new StructuredLog(b.logSink, Map.of("queue_name", queueName));
        this.queueDimension = Map.of(SluiceMetrics.DIM_QUEUE, queueName);
    }

    /**
     * @param <T> the decoded body type
     * @return a new builder
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** @return the queue this processor consumes */
    public String queueName() {
        return queueName;
    }

    /** @return the retry policy */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /**
     * Processes a batch.
     *
     * @param messages the batch, in delivery order
     * @param deadline when the invocation ends (e.g. Lambda's remaining time); {@link Instant#MAX} for none
     * @return one outcome per message, in the same order
     */
    public BatchResult process(List<IncomingMessage> messages, Instant deadline) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(deadline, "deadline");
        Run run = new Run(deadline);
        MessageOutcome[] outcomes = new MessageOutcome[messages.size()];
        List<List<Integer>> lanes = Lanes.of(messages.size(), i -> messages.get(i).groupKey());
        try (ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("sluice-" + queueName + "-", 0).factory())) {
            List<Future<List<Indexed>>> futures = new ArrayList<>(lanes.size());
            for (List<Integer> lane : lanes) {
                futures.add(executor.submit(() -> runLane(lane, messages, run)));
            }
            for (int i = 0; i < futures.size(); i++) {
                for (Indexed done : collect(futures.get(i), lanes.get(i), messages)) {
                    outcomes[done.index()] = done.outcome();
                }
            }
        }
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                // unreachable by construction; kept so a bug can never drop a message
                outcomes[i] = notStarted(messages.get(i), Duration.ZERO, RetryReason.FAILED);
            }
        }
        try {
            metrics.flush();
        } catch (RuntimeException e) {
            log.log(LogSink.Level.WARN, "metrics flush failed", Map.of("operation", "metrics"), e);
        }
        return new BatchResult(Arrays.asList(outcomes));
    }

    private record Indexed(int index, MessageOutcome outcome) {}

    private List<Indexed> collect(Future<List<Indexed>> future, List<Integer> lane, List<IncomingMessage> messages) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.log(LogSink.Level.ERROR, "lane failed", Map.of("operation", "pipeline"), e.getCause());
        }
        return lane.stream().map(i -> new Indexed(i, notStarted(messages.get(i), Duration.ZERO, RetryReason.FAILED))).toList();
    }

    /** Per-batch state shared by the lanes. */
    private final class Run {
        final Instant deadline;
        final Semaphore permits = new Semaphore(concurrency);

        Run(Instant deadline) {
            this.deadline = deadline;
        }

        Duration remaining() {
            Instant now = clock.instant();
            return now.isAfter(deadline) ? Duration.ZERO : Duration.between(now, deadline);
        }
    }

    private List<Indexed> runLane(List<Integer> lane, List<IncomingMessage> messages, Run run) {
        List<Indexed> results = new ArrayList<>(lane.size());
        Retry blockedBy = null;
        for (int index : lane) {
            IncomingMessage message = messages.get(index);
            MessageOutcome outcome;
            if (blockedBy != null) {
                outcome = notStarted(message, blockedBy.delay(), RetryReason.GROUP_BLOCKED);
            } else {
                outcome = guarded(message, run);
                if (outcome instanceof Retry retry) {
                    blockedBy = retry;
                }
            }
            record(outcome);
            results.add(new Indexed(index, outcome));
        }
        return results;
    }

    private MessageOutcome guarded(IncomingMessage message, Run run) {
        try {
            run.permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notStarted(message, Duration.ZERO, RetryReason.TIME_BUDGET);
        }
        CircuitBreaker.Permit permit = breaker.tryAcquire();
        try {
            return processOne(message, run, permit);
        } catch (Throwable t) {
            // nothing escapes: a pipeline bug or a broken store becomes a retry, never a lost batch
            log.log(LogSink.Level.ERROR, "unexpected pipeline failure", messageFields(message, "pipeline"), t);
            return retryableFailure(message, message.priorAttempts() + message.deliveryCount(), t, RetryReason.FAILED, run);
        } finally {
            recordedFirstFailures.remove(message);
            permit.release();
            run.permits.release();
        }
    }

    private MessageOutcome processOne(IncomingMessage message, Run run, CircuitBreaker.Permit permit) {
        metrics.count(SluiceMetrics.RECEIVED, 1, queueDimension);
        int attempt = message.priorAttempts() + message.deliveryCount();
        if (run.remaining().compareTo(safetyMargin) < 0) {
            return notStarted(message, Duration.ZERO, RetryReason.TIME_BUDGET);
        }
        if (!permit.admitted()) {
            return notStarted(message, breaker.openDelay(), RetryReason.CIRCUIT_OPEN);
        }
        byte[] body = message.bodyUnsafe();
        if (signatures != null
                && signatures.verify(body, message.attributes()) instanceof MessageSignatures.Verification.Invalid invalid) {
            return deadLetter(message, FailureKind.SIGNATURE_INVALID, "SignatureInvalid", invalid.reason(),
                    ErrorFingerprint.of("SignatureInvalid"), attempt);
        }
        byte[] payload;
        T body0;
        String key = null;
        try {
            payload = PayloadCompression.decodePayload(body, message.attributes(), maxPayloadBytes);
            body0 = codec.decode(payload, message.attributes());
            if (idempotency != null) {
                key = IdempotencyKeys.resolve(message, payload, idempotency.keyPointer());
            }
        } catch (DecodingException e) {
            return deadLetter(message, FailureKind.POISON, e.getClass().getName(), e.getMessage(),
                    ErrorFingerprint.of(e.getClass().getName() + "|" + codec.getClass().getName()), attempt);
        } catch (RuntimeException | StackOverflowError e) {
            // a codec that throws something else still means this body cannot be decoded
            return deadLetter(message, FailureKind.POISON, e.getClass().getName(), String.valueOf(e.getMessage()),
                    ErrorFingerprint.of(e), attempt);
        }
        Message<T> decoded = Message.decoded(message, body0, payload);

        BeginResult.Acquired lease = null;
        IdempotencyTransaction transaction = null;
        if (idempotency != null && key != null) {
            Instant now = clock.instant();
            BeginResult begin;
            try {
                begin = idempotency.store().begin(new BeginRequest(key, Texts.sha256Hex(payload), now,
                        now.plus(idempotency.lease()), now.plus(idempotency.ttl())));
            } catch (RuntimeException e) {
                // the handler did not run, so no attempt is used: a store outage never exhausts a message
                metrics.count(SluiceMetrics.ERRORS, 1, errorDims(e.getClass().getName()));
                log.log(LogSink.Level.WARN, "idempotency begin failed, will retry", messageFields(message, "idempotency_begin"), e);
                return notStarted(message, backoff(attempt), RetryReason.FAILED);
            }
            switch (begin) {
                case BeginResult.AlreadyCompleted done -> {
                    return new Duplicate(message);
                }
                case BeginResult.InProgress inProgress -> {
                    // the twin usually finishes within moments: come back after the backoff, but never later
                    // than the lease's lapse, when this consumer may take over
                    Duration untilLapse = Duration.between(now, inProgress.leaseExpiresAt());
                    Duration backoff = backoff(attempt);
                    Duration delay = clamp(backoff.compareTo(untilLapse) < 0 ? backoff : untilLapse,
                            Duration.ofSeconds(1), idempotency.lease());
                    return notStarted(message, delay, RetryReason.IN_PROGRESS);
                }
                case BeginResult.Mismatch mismatch -> {
                    return deadLetter(message, FailureKind.IDEMPOTENCY_MISMATCH, "IdempotencyMismatch",
                            "idempotency key '" + key + "' was already used with another payload",
                            ErrorFingerprint.of("IdempotencyMismatch"), attempt);
                }
                case BeginResult.Acquired acquired -> {
                    // with a store, attempts are handler executions on record, not deliveries
                    lease = acquired;
                    if (acquired.priorFailures() >= retryPolicy.maxAttempts()
                            && SluiceAttributes.redriven(message.attributes())) {
                        // a redriven copy of an exhausted message starts again; its record counts the runs before
                        lease = new BeginResult.Acquired(acquired.key(), acquired.fingerprint(), acquired.leaseExpiresAt(),
                                acquired.token());
                    }
                    attempt = lease.attempt();
                    if (lease.firstFailureAt() != null) {
                        recordedFirstFailures.put(message, lease.firstFailureAt());
                    }
                }
            }
            if (lease.priorFailures() >= retryPolicy.maxAttempts()) {
                // every attempt was used and its dead letter did not get through (a crash before it was sent):
                // dead-letter it again without another execution
                release(lease, RecordStateMachine.released(lease, clock.instant()), message);
                return deadLetter(message, FailureKind.EXHAUSTED, "AttemptsExhausted",
                        "all " + lease.priorFailures() + " attempts were used before this delivery",
                        ErrorFingerprint.of("AttemptsExhausted"), lease.priorFailures());
            }
            if (idempotency.mode() == IdempotencyMode.TRANSACTIONAL) {
                try {
                    transaction = idempotency.store().openTransaction(lease);
                } catch (RuntimeException e) {
                    // the handler did not run: the lease goes back without using an attempt
                    release(lease, RecordStateMachine.released(lease, clock.instant()), message);
                    return notStarted(message, backoff(attempt), RetryReason.FAILED);
                }
            }
        }

        Context context = new Context(run, attempt, message, transaction);
        Instant started = clock.instant();
        Throwable failure;
        try {
            failure = invoke(decoded, context, run);
        } finally {
            metrics.duration(SluiceMetrics.HANDLER_DURATION, Duration.between(started, clock.instant()), queueDimension);
        }

        if (failure == TIMED_OUT) {
            // the handler may still be running: keep the lease so no one else runs it concurrently
            permit.failed();
            metrics.count(SluiceMetrics.ERRORS, 1, errorDims("Timeout"));
            if (lease != null) {
                // counted, but the lease is kept until it lapses
                release(lease, RecordStateMachine.failedHoldingLease(lease, clock.instant()), message);
            }
            if (attempt >= retryPolicy.maxAttempts()) {
                return deadLetter(message, FailureKind.TIMEOUT, "Timeout",
                        "handler did not finish within its time limit", ErrorFingerprint.of("Timeout"), attempt);
            }
            return retry(message, attempt, RetryReason.TIMED_OUT);
        }
        if (failure == null) {
            if (lease != null) {
                try {
                    idempotency.store().complete(lease, clock.instant().plus(idempotency.ttl()), transaction);
                } catch (RuntimeException e) {
                    if (transaction != null) {
                        // nothing was committed: the handler's writes and the record fail together
                        releaseAfterFailure(lease, false, message);
                        return retryableFailure(message, attempt, e, RetryReason.FAILED, run);
                    }
                    // guard mode: the effect happened; re-running it would apply it twice
                    metrics.count(SluiceMetrics.ERRORS, 1, errorDims(e.getClass().getName()));
                    log.log(LogSink.Level.ERROR, "handler succeeded but its idempotency record could not be completed;"
                            + " the record's lease will lapse", messageFields(message, "idempotency_complete"), e);
                }
            }
            permit.succeeded();
            return new Processed(message);
        }
        if (lease != null) {
            releaseAfterFailure(lease, classifier.isPermanent(failure), message);
        }
        if (classifier.isPermanent(failure)) {
            return deadLetter(message, FailureKind.PERMANENT, failure.getClass().getName(),
                    String.valueOf(failure.getMessage()), ErrorFingerprint.of(failure), attempt);
        }
        Duration requested = classifier.requestedDelay(failure).orElse(null);
        if (requested != null) {
            // the handler chose the delay; it still uses an attempt, but the downstream answered
            return retryableFailure(message, attempt, failure, RetryReason.RETRY_LATER, run, requested);
        }
        permit.failed();
        return retryableFailure(message, attempt, failure, RetryReason.FAILED, run);
    }

    /** Marks a handler that ran past its limit. */
    private static final Throwable TIMED_OUT = new Throwable("timed out", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    private @Nullable Throwable invoke(Message<T> message, Context context, Run run) {
        Duration wait = run.remaining().minus(safetyMargin.dividedBy(2));
        if (handlerTimeout != null && handlerTimeout.compareTo(wait) < 0) {
            wait = handlerTimeout;
        }
        wait = clamp(wait, Duration.ofMillis(1), NO_DEADLINE_WAIT_CAP);
        CompletableFuture<@Nullable Throwable> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("sluice-handler").start(() -> {
            try {
                handler.handle(message, context);
                result.complete(null);
            } catch (Throwable t) {
                result.complete(t);
            }
        });
        try {
            return result.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            worker.interrupt();
            return TIMED_OUT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
            return TIMED_OUT;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /**
     * Counts a failed execution. The last one stays counted, so a redelivery whose dead letter was lost is not run
     * again; a permanent failure clears the count, so a redrive gets every attempt.
     */
    private void releaseAfterFailure(BeginResult.Acquired lease, boolean permanent, IncomingMessage message) {
        Instant now = clock.instant();
        release(lease, permanent ? RecordStateMachine.deadLettered(now) : RecordStateMachine.failed(lease, now), message);
    }

    private void release(BeginResult.Acquired lease, Release release, IncomingMessage message) {
        try {
            Objects.requireNonNull(idempotency).store().release(lease, release);
        } catch (RuntimeException e) {
            log.log(LogSink.Level.WARN, "idempotency release failed; the lease will lapse",
                    messageFields(message, "idempotency_release"), e);
        }
    }

    private MessageOutcome retryableFailure(IncomingMessage message, int attempt, Throwable error, RetryReason reason, Run run) {
        return retryableFailure(message, attempt, error, reason, run, null);
    }

    private MessageOutcome retryableFailure(IncomingMessage message, int attempt, Throwable error, RetryReason reason, Run run,
                                            @Nullable Duration requestedDelay) {
        metrics.count(SluiceMetrics.ERRORS, 1, errorDims(error.getClass().getName()));
        if (attempt >= retryPolicy.maxAttempts()) {
            return deadLetter(message, FailureKind.EXHAUSTED, error.getClass().getName(), String.valueOf(error.getMessage()),
                    ErrorFingerprint.of(error), attempt);
        }
        log.log(LogSink.Level.WARN, "attempt failed, will retry", withAttempt(message, attempt), error);
        return retry(message, attempt, reason, requestedDelay);
    }

    private Retry retry(IncomingMessage message, int attempt, RetryReason reason) {
        return retry(message, attempt, reason, null);
    }

    private Retry retry(IncomingMessage message, int attempt, RetryReason reason, @Nullable Duration requestedDelay) {
        metrics.count(SluiceMetrics.RETRY_ATTEMPTS, 1, queueDimension);
        // a requested delay is passed on unchanged: the adapter clamps it to the provider's limit
        Duration delay = requestedDelay != null ? requestedDelay : backoff(attempt);
        return new Retry(message, delay, attempt, reason, firstFailureAt(message));
    }

    private Duration backoff(int attempt) {
        // injected generators are not thread-safe; lanes draw from one
        synchronized (random) {
            return retryPolicy.backoff().delay(attempt, random);
        }
    }

    private Retry notStarted(IncomingMessage message, Duration delay, RetryReason reason) {
        int used = message.priorAttempts() + message.deliveryCount() - 1;
        return new Retry(message, delay, Math.max(0, used), reason, previousFirstFailure(message));
    }

    private DeadLettered deadLetter(IncomingMessage message, FailureKind kind, String errorType, @Nullable String reason,
                                    String fingerprint, int attempts) {
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, errorType, Objects.requireNonNullElse(reason, ""),
                fingerprint, attempts, firstFailureAt(message), clock.instant(), message.sourceQueue(), message.id());
        metrics.count(SluiceMetrics.ERRORS, 1, errorDims(errorType));
        return new DeadLettered(message, envelope);
    }

    private Instant firstFailureAt(IncomingMessage message) {
        Instant recorded = recordedFirstFailures.get(message);
        if (recorded != null) {
            return recorded;
        }
        Instant previous = previousFirstFailure(message);
        return previous != null ? previous : clock.instant();
    }

    private static @Nullable Instant previousFirstFailure(IncomingMessage message) {
        String value = message.attributes().get(SluiceAttributes.FIRST_FAILURE_AT);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void record(MessageOutcome outcome) {
        IncomingMessage message = outcome.message();
        switch (outcome) {
            case Processed p -> {
                metrics.count(SluiceMetrics.COMPLETED, 1, queueDimension);
                log.log(LogSink.Level.DEBUG, "processed", messageFields(message, "handle"), null);
            }
            case Duplicate d -> {
                metrics.count(SluiceMetrics.DUPLICATE, 1, queueDimension);
                log.log(LogSink.Level.INFO, "duplicate skipped", messageFields(message, "idempotency"), null);
            }
            case Retry r -> metrics.count(SluiceMetrics.ABANDONED, 1, queueDimension);
            case DeadLettered d -> {
                metrics.count(SluiceMetrics.DEAD_LETTERED, 1,
                        Map.of(SluiceMetrics.DIM_QUEUE, queueName, SluiceMetrics.DIM_FAILURE_KIND, d.kind().name()));
                Map<String, Object> fields = new java.util.LinkedHashMap<>(messageFields(message, "dead_letter"));
                fields.put("failure_kind", d.kind().name());
                fields.put("error_type", d.envelope().errorType());
                fields.put("error_message", d.reason());
                fields.put("error_fingerprint", d.envelope().errorFingerprint());
                log.log(LogSink.Level.ERROR, "message dead-lettered", fields, null);
            }
        }
    }

    private Map<String, String> errorDims(String errorType) {
        return Map.of(SluiceMetrics.DIM_QUEUE, queueName, SluiceMetrics.DIM_ERROR_TYPE, errorType);
    }

    private static Map<String, Object> messageFields(IncomingMessage message, String operation) {
        return Map.of("message_id", message.id(),
                "correlation_id", message.correlationId().orElse(""),
                "operation", operation,
                "delivery_count", message.deliveryCount());
    }

    private static Map<String, Object> withAttempt(IncomingMessage message, int attempt) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>(messageFields(message, "handle"));
        fields.put("attempt", attempt);
        return fields;
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }

    private final class Context implements HandlerContext {
        private final Run run;
        private final int attempt;
        private final @Nullable IdempotencyTransaction transaction;
        private final MessageLogger logger;

        Context(Run run, int attempt, IncomingMessage message, @Nullable IdempotencyTransaction transaction) {
            this.run = run;
            this.attempt = attempt;
            this.transaction = transaction;
            this.logger = new ContextLogger(log.with(withAttempt(message, attempt)));
        }

        @Override
        public Duration remainingTime() {
            return run.remaining();
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public MessageLogger logger() {
            return logger;
        }

        @Override
        public <X extends IdempotencyTransaction> X transaction(Class<X> type) {
            if (transaction == null) {
                throw new IllegalStateException("transaction() is available in TRANSACTIONAL idempotency mode only");
            }
            if (!type.isInstance(transaction)) {
                throw new IllegalStateException("the store's transaction is a " + transaction.getClass().getName()
                        + ", not a " + type.getName());
            }
            return type.cast(transaction);
        }
    }

    private record ContextLogger(StructuredLog log) implements MessageLogger {
        @Override
        public void info(String message, Map<String, ?> fields) {
            log.log(LogSink.Level.INFO, message, fields, null);
        }

        @Override
        public void warn(String message, Map<String, ?> fields, @Nullable Throwable error) {
            log.log(LogSink.Level.WARN, message, fields, error);
        }

        @Override
        public void error(String message, Map<String, ?> fields, @Nullable Throwable error) {
            log.log(LogSink.Level.ERROR, message, fields, error);
        }
    }

    /**
     * Builds a {@link BatchProcessor}; {@code handler}, {@code codec} and {@code queueName} are required.
     *
     * @param <T> the decoded body type
     */
    public static final class Builder<T> {
        private @Nullable MessageHandler<T> handler;
        private @Nullable MessageCodec<T> codec;
        private @Nullable String queueName;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private FailureClassifier classifier = FailureClassifier.defaults();
        private @Nullable IdempotencyOptions idempotency;
        private @Nullable MessageSignatures signatures;
        private int concurrency = 16;
        private Duration safetyMargin = Duration.ofSeconds(2);
        private int circuitBreakerThreshold = 5;
        private Duration circuitOpenDelay = Duration.ofSeconds(30);
        private @Nullable Duration handlerTimeout;
        private int maxPayloadBytes = 4 * 1024 * 1024;
        private Clock clock = Clock.systemUTC();
        private RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        private MetricsSink metrics = MetricsSink.NOOP;
        private LogSink logSink = new JsonLogSink();

        private Builder() {}

        /**
         * Takes queue name, retry policy, signing keys, concurrency, payload cap, safety margin and circuit
         * breaker from loaded configuration; later builder calls override.
         *
         * @param config the configuration
         * @return this
         */
        public Builder<T> config(SluiceConfig config) {
            this.queueName = config.queueName();
            this.retryPolicy = RetryPolicy.exponential(config.maxAttempts(), config.retryBackoff(), config.retryBackoffMax());
            this.signatures = config.signingKeys().map(MessageSignatures::with).orElse(null);
            this.concurrency = config.concurrency();
            this.maxPayloadBytes = config.maxPayloadBytes();
            this.safetyMargin = config.safetyMargin();
            this.circuitBreakerThreshold = config.circuitBreakerThreshold();
            this.circuitOpenDelay = config.circuitOpenDelay();
            return this;
        }

        /** @param handler the user's handler @return this */
        public Builder<T> handler(MessageHandler<T> handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** @param codec how bodies decode (e.g. {@link JsonCodec#of(Class)}) @return this */
        public Builder<T> codec(MessageCodec<T> codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** @param queueName the queue's name (metrics dimension, envelope) @return this */
        public Builder<T> queueName(String queueName) {
            this.queueName = queueName;
            return this;
        }

        /** @param retryPolicy attempts and backoff @return this */
        public Builder<T> retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /** @param classifier which exceptions are permanent @return this */
        public Builder<T> classifier(FailureClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /** @param idempotency idempotency settings, or null for none @return this */
        public Builder<T> idempotency(@Nullable IdempotencyOptions idempotency) {
            this.idempotency = idempotency;
            return this;
        }

        /** @param signatures signature verification, or null for none @return this */
        public Builder<T> signatures(@Nullable MessageSignatures signatures) {
            this.signatures = signatures;
            return this;
        }

        /** @param concurrency messages handled at once across groups (default 16) @return this */
        public Builder<T> concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /** @param safetyMargin no message starts with less time left (default 2 s) @return this */
        public Builder<T> safetyMargin(Duration safetyMargin) {
            this.safetyMargin = Objects.requireNonNull(safetyMargin, "safetyMargin");
            return this;
        }

        /**
         * @param threshold consecutive retryable handler failures or timeouts that open the breaker, counted
         *     across batches (0 disables; default 5)
         * @param openDelay how long it stays open before one probe runs, and the delay of the messages
         *     returned meanwhile (default 30 s)
         * @return this
         */
        public Builder<T> circuitBreaker(int threshold, Duration openDelay) {
            this.circuitBreakerThreshold = threshold;
            this.circuitOpenDelay = Objects.requireNonNull(openDelay, "openDelay");
            return this;
        }

        /** @param handlerTimeout the longest one handler run may take, or null for the invocation's deadline @return this */
        public Builder<T> handlerTimeout(@Nullable Duration handlerTimeout) {
            this.handlerTimeout = handlerTimeout;
            return this;
        }

        /** @param maxPayloadBytes the largest inflated payload (default 4 MiB) @return this */
        public Builder<T> maxPayloadBytes(int maxPayloadBytes) {
            this.maxPayloadBytes = maxPayloadBytes;
            return this;
        }

        /** @param clock the clock (tests inject a fixed or manual one) @return this */
        public Builder<T> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param random randomness for backoff jitter @return this */
        public Builder<T> random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** @param metrics where metrics go @return this */
        public Builder<T> metrics(MetricsSink metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** @param logSink where log events go @return this */
        public Builder<T> logSink(LogSink logSink) {
            this.logSink = Objects.requireNonNull(logSink, "logSink");
            return this;
        }

        /** @return the processor @throws IllegalArgumentException naming the missing or invalid property */
        public BatchProcessor<T> build() {
            if (handler == null) {
                throw new IllegalArgumentException("handler is required");
            }
            if (codec == null) {
                throw new IllegalArgumentException("codec is required");
            }
            if (queueName == null || queueName.isBlank()) {
                throw new IllegalArgumentException("queueName is required");
            }
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
            }
            if (safetyMargin.isNegative()) {
                throw new IllegalArgumentException("safetyMargin must not be negative");
            }
            if (circuitBreakerThreshold < 0) {
                throw new IllegalArgumentException("circuitBreaker threshold must not be negative");
            }
            if (handlerTimeout != null && (handlerTimeout.isNegative() || handlerTimeout.isZero())) {
                throw new IllegalArgumentException("handlerTimeout must be positive");
            }
            if (maxPayloadBytes < 1) {
                throw new IllegalArgumentException("maxPayloadBytes must be positive");
            }
            return new BatchProcessor<>(this);
        }
    }
}
