package dev.sluice.azure;

import dev.sluice.core.MessageHandler;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.observability.JsonLogSink;
import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.spi.MetricsSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Runs a Service Bus batch delivered to an Azure Function ({@code cardinality = MANY}) through the core
 * pipeline and applies DESIGN section 5. The Java worker cannot settle single messages, so:
 * <ul>
 *   <li>{@code Retry(delay)} in a session batch, with an idempotency store counting attempts per message: nothing is
 *       sent; the consumer waits the delay (at most {@code sessionWaitMax} and the invocation's time left, holding
 *       the session lock) and throws {@link SessionRetryException}, so the host abandons the batch and Service Bus
 *       returns it to the session in order: no later message of the session overtakes the retried one;</li>
 *   <li>{@code Retry(delay)} otherwise: a copy goes back to the queue, scheduled at now + delay, carrying
 *       {@code sluice-attempt}, {@code sluice-original-message-id} and {@code sluice-first-failure-at};
 *       session messages (without a store) keep their session id and are re-published in batch order;</li>
 *   <li>{@code DeadLettered}: a copy goes to the parking queue with the dead-letter envelope; a copy
 *       Service Bus refuses for its content ({@link MessageRejectedException}) is parked again with the
 *       minimal envelope (failure kind, stable id, attempts);</li>
 *   <li>then {@link #process} returns and the host completes the whole batch. If any send fails it
 *       throws {@link RepublishException}: the host abandons the batch, Service Bus redelivers it, and
 *       idempotency skips what was already done.</li>
 * </ul>
 * Build it once per function instance (a static field) and call {@link #process} from the function.
 *
 * @param <T> the decoded body type
 */
public final class ServiceBusBatchConsumer<T> {
    /** The OpenTelemetry {@code messaging.system} of Service Bus. */
    public static final String MESSAGING_SYSTEM = "servicebus";

    private final BatchProcessor<T> processor;
    private final String queueName;
    private final String parkingQueue;
    private final Duration invocationTimeout;
    private final Clock clock;
    private final StructuredLog log;
    private final Tracing tracing;
    private final SessionOrder sessions;
    private final CopySender copies;

    /** Waits; tests substitute one that moves a manual clock. */
    @FunctionalInterface
    public interface Sleeper {
        /** @param duration how long @throws InterruptedException when interrupted */
        void sleep(Duration duration) throws InterruptedException;
    }

    private ServiceBusBatchConsumer(Builder<T> b) {
        this.tracing = b.tracing != null ? b.tracing : Tracing.global();
        this.processor = Objects.requireNonNull(b.processor);
        this.queueName = b.queueName != null ? b.queueName : processor.queueName();
        this.parkingQueue = b.parkingQueue != null ? b.parkingQueue : queueName + "-parking";
        this.invocationTimeout = b.invocationTimeout;
        this.clock = b.clock;
        this.log = new StructuredLog(b.logSink, Map.of("queue_name", queueName));
        this.sessions = new SessionOrder(b.sessionOrderByAbandon && processor.countsAttemptsPerMessage(), queueName,
                invocationTimeout, b.sessionWaitMax, b.sleeper::sleep, clock, log, b.metrics);
        this.copies = new CopySender(Objects.requireNonNull(b.publisher), log);
    }

    /**
     * @param <T> the decoded body type
     * @return a new builder
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Wires a consumer from the Function App's settings (see {@link dev.sluice.core.config.SluiceConfig} and
     * {@link AzureConfig}): Cosmos DB idempotency in guard mode, Service Bus re-publish through managed
     * identity, OpenTelemetry metrics, JSON logs.
     *
     * @param codec how bodies decode, e.g. {@code JsonCodec.of(Order.class)}
     * @param handler the handler
     * @param <T> the decoded body type
     * @return the consumer
     * @throws dev.sluice.core.config.ConfigurationException naming the first missing or bad setting
     */
    public static <T> ServiceBusBatchConsumer<T> fromEnvironment(MessageCodec<T> codec, MessageHandler<T> handler) {
        return fromEnvironment(codec, handler, IdempotencyMode.GUARD);
    }

    /**
     * As {@link #fromEnvironment(MessageCodec, MessageHandler)}, with a chosen idempotency mode.
     *
     * @param codec how bodies decode
     * @param handler the handler
     * @param mode guard, or transactional (the handler writes through {@link CosmosTransaction})
     * @param <T> the decoded body type
     * @return the consumer
     */
    public static <T> ServiceBusBatchConsumer<T> fromEnvironment(MessageCodec<T> codec, MessageHandler<T> handler,
                                                                 IdempotencyMode mode) {
        AzureWiring.Parts<T> parts = AzureWiring.fromEnvironment(codec, handler, mode);
        Builder<T> consumer = ServiceBusBatchConsumer.<T>builder().processor(parts.processor()).publisher(parts.publisher())
                .invocationTimeout(parts.invocationTimeout()).metrics(parts.metrics());
        parts.parkingQueue().ifPresent(consumer::parkingQueue);
        return consumer.build();
    }

    /** @return the queue this consumer reads and re-publishes retries to */
    public String queueName() {
        return queueName;
    }

    /** @return the queue dead letters are parked in */
    public String parkingQueue() {
        return parkingQueue;
    }

    /**
     * Processes one delivered batch and publishes its retries and dead letters.
     *
     * @param batch the trigger's bodies and metadata
     * @return one outcome per message, in batch order
     * @throws RepublishException when a copy could not be sent; let it propagate so the host abandons the batch
     */
    public BatchResult process(ServiceBusBatch batch) {
        Objects.requireNonNull(batch, "batch");
        Instant started = clock.instant();
        List<IncomingMessage> messages = batch.toIncoming(queueName);
        BatchResult result = processor.process(messages, started.plus(invocationTimeout), MESSAGING_SYSTEM);
        Optional<MessageOutcome.Retry> blocking = sessions.blockingRetry(result);
        if (blocking.isPresent()) {
            throw sessions.waitAndAbandon(blocking.get(), result, started);
        }
        Instant now = clock.instant();
        List<OutgoingMessage> parked = new ArrayList<>();
        Map<String, OutgoingMessage> minimalCopies = new LinkedHashMap<>();
        List<OutgoingMessage> retries = new ArrayList<>();
        List<Span> parkSpans = new ArrayList<>();
        List<Span> retrySpans = new ArrayList<>();
        for (int i = 0; i < result.outcomes().size(); i++) {
            MessageOutcome outcome = result.outcomes().get(i);
            if (!(outcome instanceof MessageOutcome.Retry) && !(outcome instanceof MessageOutcome.DeadLettered)) {
                continue;
            }
            // one send span per copy, under its message's span; the copy carries it as its trace context
            boolean park = outcome instanceof MessageOutcome.DeadLettered;
            String target = park ? parkingQueue : queueName;
            Span span = tracing.startChild(result.spanContexts().get(i), "send " + target, SpanKind.PRODUCER, MESSAGING_SYSTEM,
                    target, "send");
            try (Scope ignored = span.makeCurrent()) {
                switch (outcome) {
                    case MessageOutcome.Retry retry -> {
                        retries.add(retryCopy(retry, batch.contentType(i), now));
                        retrySpans.add(span);
                    }
                    case MessageOutcome.DeadLettered dead -> {
                        OutgoingMessage full = ParkedCopies.full(dead, batch.contentType(i));
                        parked.add(full);
                        minimalCopies.put(full.messageId(), ParkedCopies.minimal(dead, batch.contentType(i)));
                        parkSpans.add(span);
                    }
                    default -> { }
                }
            }
        }
        copies.sendTraced(parkingQueue, parked, "park", minimalCopies, parkSpans);
        copies.sendTraced(queueName, retries, "republish", Map.of(), retrySpans);
        sessions.count(result);
        // copies sent: the host completes the batch, so the successes' stored payloads may go
        processor.settled(result);
        if (!parked.isEmpty() || !retries.isEmpty()) {
            log.log(LogSink.Level.INFO, "batch settled by copies", Map.of("operation", "republish",
                    "batch_size", messages.size(), "retried", retries.size(), "parked", parked.size()), null);
        }
        return result;
    }

    private OutgoingMessage retryCopy(MessageOutcome.Retry retry, @Nullable String contentType, Instant now) {
        IncomingMessage message = retry.message();
        Map<String, String> properties = new LinkedHashMap<>(message.attributes());
        properties.put(SluiceAttributes.ATTEMPT, Integer.toString(retry.attemptsUsed()));
        properties.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, message.id());
        retry.firstFailure().ifPresent(at -> properties.put(SluiceAttributes.FIRST_FAILURE_AT, at.toString()));
        // the copy continues the current trace (the re-publish's send span), when one is active
        Tracing.inject(properties);
        Instant scheduled = retry.delay().isZero() ? null : now.plus(retry.delay());
        return new OutgoingMessage(UUID.randomUUID().toString(), message.body(), properties,
                message.groupKey().orElse(null), message.correlationId().orElse(null), contentType, scheduled);
    }

    /**
     * Builds a {@link ServiceBusBatchConsumer}; {@code processor} and {@code publisher} are required.
     *
     * @param <T> the decoded body type
     */
    public static final class Builder<T> {
        private @Nullable BatchProcessor<T> processor;
        private @Nullable MessagePublisher publisher;
        private @Nullable String queueName;
        private @Nullable String parkingQueue;
        private Duration invocationTimeout = Duration.ofMinutes(10);
        private Clock clock = Clock.systemUTC();
        private LogSink logSink = new JsonLogSink();
        private @Nullable Tracing tracing;
        private MetricsSink metrics = MetricsSink.NOOP;
        private Duration sessionWaitMax = Duration.ofMinutes(5);
        private Sleeper sleeper = duration -> Thread.sleep(duration.toMillis());
        private boolean sessionOrderByAbandon = true;

        /**
         * @param sessionWaitMax the longest a session batch waits for a retry's backoff before it is abandoned (default
         *     5 minutes, host.json's default {@code maxAutoLockRenewalDuration}: the host renews the locks that long).
         *     A longer backoff is cut to it.
         * @return this
         */
        public Builder<T> sessionWaitMax(Duration sessionWaitMax) {
            this.sessionWaitMax = Objects.requireNonNull(sessionWaitMax, "sessionWaitMax");
            return this;
        }

        /**
         * @param byAbandon whether a session batch with a retry is abandoned after the backoff (default, with an
         *     idempotency store) rather than re-published behind it (the behaviour before, where messages of the session
         *     still queued can overtake the copies)
         * @return this
         */
        public Builder<T> sessionOrderByAbandon(boolean byAbandon) {
            this.sessionOrderByAbandon = byAbandon;
            return this;
        }

        /** @param sleeper how the consumer waits (tests move a manual clock) @return this */
        public Builder<T> sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * @param metrics where the session metrics ({@code queue_sessions_processed_total},
         *     {@code queue_sessions_blocked_total}) go; the pipeline's own metrics go to the processor's sink
         * @return this
         */
        public Builder<T> metrics(MetricsSink metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * @param tracing where the spans of re-publishes and parked copies go (default {@link Tracing#global()}: the
         *     Azure Monitor distro's OpenTelemetry, a no-op without it)
         * @return this
         */
        public Builder<T> tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        private Builder() {}

        /** @param processor the core pipeline with the user's handler @return this */
        public Builder<T> processor(BatchProcessor<T> processor) {
            this.processor = Objects.requireNonNull(processor, "processor");
            return this;
        }

        /** @param publisher where retry copies and dead letters are sent @return this */
        public Builder<T> publisher(MessagePublisher publisher) {
            this.publisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        /** @param queueName the trigger's queue (default: the processor's queue name) @return this */
        public Builder<T> queueName(String queueName) {
            this.queueName = queueName;
            return this;
        }

        /** @param parkingQueue where dead letters go (default {@code <queue>-parking}) @return this */
        public Builder<T> parkingQueue(String parkingQueue) {
            this.parkingQueue = parkingQueue;
            return this;
        }

        /**
         * @param invocationTimeout how long one invocation may run: host.json's {@code functionTimeout}
         *     (default 10 minutes); no message starts when less than the safety margin is left
         * @return this
         */
        public Builder<T> invocationTimeout(Duration invocationTimeout) {
            this.invocationTimeout = Objects.requireNonNull(invocationTimeout, "invocationTimeout");
            return this;
        }

        /** @param clock the clock for schedules and deadlines (tests inject a manual one) @return this */
        public Builder<T> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param logSink where the consumer's own log events go @return this */
        public Builder<T> logSink(LogSink logSink) {
            this.logSink = Objects.requireNonNull(logSink, "logSink");
            return this;
        }

        /** @return the consumer @throws IllegalArgumentException naming the missing or invalid property */
        public ServiceBusBatchConsumer<T> build() {
            if (processor == null) {
                throw new IllegalArgumentException("processor is required");
            }
            if (publisher == null) {
                throw new IllegalArgumentException("publisher is required");
            }
            if (queueName != null && queueName.isBlank()) {
                throw new IllegalArgumentException("queueName must not be blank");
            }
            if (parkingQueue != null && parkingQueue.isBlank()) {
                throw new IllegalArgumentException("parkingQueue must not be blank");
            }
            String queue = queueName != null ? queueName : processor.queueName();
            if (queue.equals(parkingQueue)) {
                throw new IllegalArgumentException("parkingQueue must differ from the queue '" + queue + "'");
            }
            if (invocationTimeout.isNegative() || invocationTimeout.isZero()) {
                throw new IllegalArgumentException("invocationTimeout must be positive, got " + invocationTimeout);
            }
            if (sessionWaitMax.isNegative()) {
                throw new IllegalArgumentException("sessionWaitMax must not be negative, got " + sessionWaitMax);
            }
            return new ServiceBusBatchConsumer<>(this);
        }
    }
}
