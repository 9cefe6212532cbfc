package dev.sluice.core.pipeline;

import dev.sluice.core.MessageHandler;
import dev.sluice.core.RetryLaterException;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.observability.JsonLogSink;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.spi.MetricsSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
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
 * <p>A lane (a group, or one ungrouped message) runs on one virtual thread, its handler calls included;
 * a handler that runs past its limit ({@code handlerTimeout}, or the invocation's deadline less half the
 * safety margin) is interrupted and left behind, and its lane goes on on another thread. Each message
 * passes the stages admission, unwrap, idempotency guard, handler invocation and outcome; only the
 * outcome stage makes a retry or a dead letter.
 *
 * <p>Build once (e.g. in a static field) and reuse: thread-safe.
 *
 * @param <T> the decoded body type
 */
public final class BatchProcessor<T> {
    private final String queueName;
    private final RetryPolicy retryPolicy;
    private final BatchScheduler<T> scheduler;
    private final boolean countsAttemptsPerMessage;
    private final StoredPayloads payloads;

    private BatchProcessor(Builder<T> b) {
        this.countsAttemptsPerMessage = b.idempotency != null;
        this.queueName = Objects.requireNonNull(b.queueName);
        this.retryPolicy = b.retryPolicy;
        Telemetry telemetry = new Telemetry(queueName, b.metrics, b.logSink);
        Traces traces = new Traces(b.tracing != null ? b.tracing : Tracing.global(), queueName);
        CircuitBreaker breaker = new CircuitBreaker(b.circuitBreakerThreshold, b.circuitOpenDelay, b.clock);
        StoredPayloads payloads = new StoredPayloads(b.payloadStore, b.deletePayloadsAfterSuccess, telemetry,
                traces.tracing());
        MessageFlow<T> flow = new MessageFlow<>(breaker,
                new Admission(b.safetyMargin, b.circuitOpenDelay, telemetry),
                new Unwrap<>(Objects.requireNonNull(b.codec), b.signatures, b.idempotency, b.maxPayloadBytes, b.clock,
                        payloads),
                new IdempotencyGuard(b.idempotency, b.retryPolicy.maxAttempts(), b.clock, telemetry, traces.tracing()),
                new HandlerInvocation<>(Objects.requireNonNull(b.handler), b.handlerTimeout, b.safetyMargin, b.clock,
                        telemetry, queueName),
                new OutcomeStage(retryPolicy, b.classifier, b.random, b.clock, telemetry),
                telemetry);
        this.payloads = payloads;
        this.scheduler = new BatchScheduler<>(flow, b.concurrency, b.clock, telemetry, queueName, traces);
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

    /**
     * @return whether an idempotency store counts each message's executions (so a redelivery that did not run the
     *     handler uses no attempt); without one, attempts come from the provider's delivery count
     */
    public boolean countsAttemptsPerMessage() {
        return countsAttemptsPerMessage;
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
        return process(messages, deadline, "unknown");
    }

    /**
     * Processes a batch, tracing it as {@code messagingSystem}'s (the adapters' entry point).
     *
     * @param messages the batch, in delivery order
     * @param deadline when the invocation ends; {@link Instant#MAX} for none
     * @param messagingSystem the OpenTelemetry {@code messaging.system}: {@code aws_sqs}, {@code servicebus}
     * @return one outcome per message, in the same order, with each message's span context
     */
    public BatchResult process(List<IncomingMessage> messages, Instant deadline, String messagingSystem) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(messagingSystem, "messagingSystem");
        return scheduler.process(messages, deadline, messagingSystem);
    }

    /**
     * Deletes the stored payloads (claim-check) of a batch's successes, processed or duplicate, when configured. An
     * adapter calls it once it has settled the batch and its successes will be acknowledged: never for a batch the host
     * abandons, whose successes come back as duplicates that must still find their payloads. A payload that cannot be
     * deleted is logged and left to the store's lifecycle rule.
     *
     * @param result what {@link #process} returned
     */
    public void settled(BatchResult result) {
        payloads.settled(Objects.requireNonNull(result, "result").outcomes());
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
        private dev.sluice.core.security.@Nullable SecretReference signingKeysSecret;
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
        private @Nullable Tracing tracing;
        private @Nullable PayloadStore payloadStore;
        private @Nullable PayloadLocation payloadLocation;
        private boolean deletePayloadsAfterSuccess = true;

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
            this.signatures = config.signingKeys().map(keys -> MessageSignatures.with(keys, config.signaturePolicy())).orElse(null);
            // keys in a secret: the adapter reads them and must call signatures(...); build() refuses to run unverified
            this.signingKeysSecret = config.signingKeysSecret().orElse(null);
            this.concurrency = config.concurrency();
            this.maxPayloadBytes = config.maxPayloadBytes();
            this.safetyMargin = config.safetyMargin();
            this.circuitBreakerThreshold = config.circuitBreakerThreshold();
            this.circuitOpenDelay = config.circuitOpenDelay();
            // a payload store: the adapter opens it and must call payloadStore(...); build() refuses otherwise
            this.payloadLocation = config.payloadStore().orElse(null);
            this.deletePayloadsAfterSuccess = config.deletePayloadsAfterSuccess();
            return this;
        }

        /**
         * @param store where claim-checked payloads are read from (S3, Blob Storage); null for none, so a message that
         *     points to a stored payload is poison
         * @return this
         */
        public Builder<T> payloadStore(@Nullable PayloadStore store) {
            this.payloadStore = store;
            return this;
        }

        /**
         * @param delete whether a stored payload is deleted once its message succeeded (default true; false leaves it
         *     to the store's lifecycle rule)
         * @return this
         */
        public Builder<T> deletePayloadsAfterSuccess(boolean delete) {
            this.deletePayloadsAfterSuccess = delete;
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

        /**
         * @param tracing where spans go (default {@link Tracing#global()}: an agent's or layer's OpenTelemetry, a
         *     no-op without one)
         * @return this
         */
        public Builder<T> tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /** @return the processor @throws IllegalArgumentException naming the missing or invalid property */
        public BatchProcessor<T> build() {
            if (signatures == null && signingKeysSecret != null) {
                throw new IllegalStateException(SluiceConfig.SLUICE_SIGNING_KEYS + " names the secret " + signingKeysSecret
                        + ", but no signatures(...) were built from it: this adapter cannot read that store");
            }
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
            if (payloadLocation != null && payloadStore == null) {
                throw new IllegalArgumentException("SLUICE_PAYLOAD_STORE names " + payloadLocation
                        + " but no payload store was given (payloadStore(...))");
            }
            return new BatchProcessor<>(this);
        }
    }
}
