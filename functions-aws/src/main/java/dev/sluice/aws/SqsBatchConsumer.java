package dev.sluice.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.internal.AwsClients;
import dev.sluice.aws.internal.BatchActions;
import dev.sluice.aws.internal.QueueDirectory;
import dev.sluice.aws.internal.SnapStartPriming;
import dev.sluice.aws.internal.SqsMessages;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.spi.MetricsSink;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Runs Sluice's batch pipeline for an SQS-triggered Lambda (event source mapping with
 * {@code ReportBatchItemFailures}). Each {@link SQSEvent} record becomes a pipeline message (message id,
 * body, attributes, {@code ApproximateReceiveCount}, {@code MessageGroupId}, the Lambda deadline), and each
 * outcome becomes provider actions:
 * <ul>
 *   <li>{@code Processed}, {@code Duplicate}: nothing; the event source mapping deletes the message.</li>
 *   <li>{@code Retry(delay)}: a batch item failure, and a batched {@code ChangeMessageVisibility} to the
 *       backoff delay.</li>
 *   <li>{@code DeadLettered}: a batched {@code SendMessage} of the unchanged body to the dead-letter queue
 *       with the envelope attributes, then done. A dead letter SQS refuses for what it contains is sent
 *       again with the minimal envelope (failure kind, stable id, attempts); if it cannot be sent at all
 *       it is retried after the retry policy's backoff for its attempt: never lost. The queue's own
 *       redrive policy stays the safety net for crashes.</li>
 * </ul>
 * A message whose body points to a payload in S3 (claim-check: {@code SLUICE_PAYLOAD_STORE}, or the Amazon SQS
 * Extended Client Library) is read from the bucket before it is verified and decoded.
 * Build once, in a static field of the Lambda class, and call {@link #handle} from {@code handleRequest}.
 * Thread-safe.
 *
 * @param <T> the decoded body type
 */
public final class SqsBatchConsumer<T> {
    private final BatchProcessor<T> processor;
    private final BatchActions actions;
    private final Clock clock;
    private final StructuredLog log;
    private final SnapStartPriming priming;

    private SqsBatchConsumer(BatchProcessor<T> processor, BatchActions actions, Clock clock, StructuredLog log,
                             SnapStartPriming priming) {
        this.processor = processor;
        this.actions = actions;
        this.clock = clock;
        this.log = log;
        this.priming = priming;
    }

    /**
     * @param <T> the decoded body type
     * @return a new builder
     */
    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * @param type the body type, decoded as JSON with {@link JsonCodec}
     * @param <T> the body type
     * @return a new builder with a JSON codec for {@code type}
     */
    public static <T> Builder<T> builder(Class<T> type) {
        return new Builder<T>().codec(JsonCodec.of(type));
    }

    /**
     * Handles one Lambda invocation. Never throws: a failure of the adapter itself reports every message
     * as a batch item failure, so the whole batch is retried rather than lost.
     *
     * @param event the SQS event
     * @param context the Lambda context (its remaining time is the batch's deadline), or null for none
     * @return the partial batch response
     */
    public SQSBatchResponse handle(SQSEvent event, @Nullable Context context) {
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        if (records.isEmpty()) {
            return SQSBatchResponse.builder().withBatchItemFailures(new ArrayList<>()).build();
        }
        Instant deadline = context == null ? Instant.MAX : clock.instant().plusMillis(context.getRemainingTimeInMillis());
        try {
            List<IncomingMessage> incoming = new ArrayList<>(records.size());
            List<SQSEvent.SQSMessage> accepted = new ArrayList<>(records.size());
            List<SQSBatchResponse.BatchItemFailure> unreadable = new ArrayList<>();
            for (SQSEvent.SQSMessage record : records) {
                try {
                    incoming.add(SqsMessages.toIncoming(record));
                    accepted.add(record);
                } catch (RuntimeException e) {
                    // a record Lambda itself malformed: let SQS deliver it again (its redrive policy decides)
                    log.log(LogSink.Level.ERROR, "unreadable event record", Map.of("operation", "receive",
                            "message_id", String.valueOf(record.getMessageId())), e);
                    unreadable.add(failure(record));
                }
            }
            BatchResult result = processor.process(incoming, deadline, SqsMessages.MESSAGING_SYSTEM);
            SQSBatchResponse response = actions.apply(accepted, result);
            // the retries and dead letters are in place: the successes will be deleted from the queue
            processor.settled(result);
            if (!unreadable.isEmpty()) {
                List<SQSBatchResponse.BatchItemFailure> all = new ArrayList<>(response.getBatchItemFailures());
                all.addAll(unreadable);
                response.setBatchItemFailures(all);
            }
            return response;
        } catch (RuntimeException | Error e) {
            log.log(LogSink.Level.ERROR, "batch failed in the adapter; every message is retried",
                    Map.of("operation", "batch", "messages", records.size()), e);
            return SQSBatchResponse.builder().withBatchItemFailures(records.stream().map(SqsBatchConsumer::failure).toList()).build();
        }
    }

    private static SQSBatchResponse.BatchItemFailure failure(SQSEvent.SQSMessage record) {
        return SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(record.getMessageId()).build();
    }

    /**
     * Processes a batch without SQS actions, e.g. to inspect outcomes in a test.
     *
     * @param event the SQS event
     * @param deadline the batch's deadline
     * @return one outcome per record
     */
    public List<MessageOutcome> outcomes(SQSEvent event, Instant deadline) {
        List<IncomingMessage> incoming = event.getRecords().stream().map(SqsMessages::toIncoming).toList();
        return processor.process(incoming, deadline).outcomes();
    }

    /**
     * Runs the SnapStart priming steps now (they also run before a checkpoint): Jackson and the pipeline on
     * a synthetic message with a no-op handler, and one read-only request per SDK client.
     *
     * @return each step's duration in milliseconds, -1 for a step that failed
     */
    public Map<String, Long> prime() {
        return priming.prime();
    }

    /** @return the pipeline */
    public BatchProcessor<T> processor() {
        return processor;
    }

    /**
     * Builds an {@link SqsBatchConsumer}. Required: {@code config} (or {@link #fromEnvironment()}),
     * {@code codec} and {@code handler}. When the configuration names an idempotency table and no
     * {@link #idempotency} is given, a {@link DynamoDbIdempotencyStore} is set up on it.
     *
     * @param <T> the decoded body type
     */
    public static final class Builder<T> {
        private @Nullable SluiceConfig config;
        private AwsConfig awsConfig = AwsConfig.defaults();
        private @Nullable MessageCodec<T> codec;
        private @Nullable MessageHandler<T> handler;
        private @Nullable SqsClient sqsClient;
        private @Nullable DynamoDbClient dynamoDbClient;
        private @Nullable SecretsManagerClient secretsManagerClient;
        private @Nullable S3Client s3Client;
        private @Nullable IdempotencyOptions idempotency;
        private @Nullable IdempotencyMode idempotencyMode;
        private @Nullable String queueUrl;
        private @Nullable String deadLetterQueueUrl;
        private @Nullable MetricsSink metrics;
        private @Nullable LogSink logSink;
        private Clock clock = Clock.systemUTC();
        private @Nullable Boolean snapStartPriming;
        private Consumer<BatchProcessor.Builder<T>> customizer = b -> { };
        private @Nullable Tracing tracing;

        private Builder() {}

        /**
         * Loads {@link SluiceConfig} and {@link AwsConfig} from the environment.
         *
         * @return this
         * @throws dev.sluice.core.config.ConfigurationException naming a bad variable
         */
        public Builder<T> fromEnvironment() {
            this.config = SluiceConfig.fromEnvironment().build();
            this.awsConfig = AwsConfig.fromEnvironment();
            return this;
        }

        /** @param config queue, retries, idempotency table, TTL, lease, key pointer, concurrency @return this */
        public Builder<T> config(SluiceConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** @param awsConfig AWS-specific settings (default: {@link AwsConfig#defaults()}) @return this */
        public Builder<T> awsConfig(AwsConfig awsConfig) {
            this.awsConfig = Objects.requireNonNull(awsConfig, "awsConfig");
            return this;
        }

        /** @param codec how bodies decode @return this */
        public Builder<T> codec(MessageCodec<T> codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** @param handler the user's handler @return this */
        public Builder<T> handler(MessageHandler<T> handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** @param sqsClient the SQS client (default: URL-connection HTTP client, SDK default chains) @return this */
        public Builder<T> sqsClient(SqsClient sqsClient) {
            this.sqsClient = Objects.requireNonNull(sqsClient, "sqsClient");
            return this;
        }

        /**
         * @param secretsManagerClient the client that reads the signing keys when {@code SLUICE_SIGNING_KEYS} names an
         *     {@code aws-secretsmanager:} secret (default: one from the SDK's default chains)
         * @return this
         */
        public Builder<T> secretsManagerClient(SecretsManagerClient secretsManagerClient) {
            this.secretsManagerClient = Objects.requireNonNull(secretsManagerClient, "secretsManagerClient");
            return this;
        }

        /**
         * @param s3Client the client that reads (and deletes) claim-checked payloads when {@code SLUICE_PAYLOAD_STORE}
         *     names an {@code s3://} location (default: one from the SDK's default chains, e.g.
         *     {@code AWS_ENDPOINT_URL_S3})
         * @return this
         */
        public Builder<T> s3Client(S3Client s3Client) {
            this.s3Client = Objects.requireNonNull(s3Client, "s3Client");
            return this;
        }

        /** @param dynamoDbClient the DynamoDB client for the idempotency table @return this */
        public Builder<T> dynamoDbClient(DynamoDbClient dynamoDbClient) {
            this.dynamoDbClient = Objects.requireNonNull(dynamoDbClient, "dynamoDbClient");
            return this;
        }

        /** @param idempotency explicit idempotency settings, overriding the table from the configuration @return this */
        public Builder<T> idempotency(IdempotencyOptions idempotency) {
            this.idempotency = Objects.requireNonNull(idempotency, "idempotency");
            return this;
        }

        /** @param mode guard or transactional, overriding {@link AwsConfig#idempotencyMode()} @return this */
        public Builder<T> idempotencyMode(IdempotencyMode mode) {
            this.idempotencyMode = Objects.requireNonNull(mode, "idempotencyMode");
            return this;
        }

        /** @param queueUrl the source queue's URL (default: resolved once from the event's ARN) @return this */
        public Builder<T> queueUrl(String queueUrl) {
            this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
            return this;
        }

        /**
         * @param deadLetterQueueUrl the dead-letter queue's URL (default: {@code QUEUE_DLQ_NAME}, else the
         *     queue's redrive policy)
         * @return this
         */
        public Builder<T> deadLetterQueueUrl(String deadLetterQueueUrl) {
            this.deadLetterQueueUrl = Objects.requireNonNull(deadLetterQueueUrl, "deadLetterQueueUrl");
            return this;
        }

        /** @param metrics where metrics go (default: EMF lines on standard output) @return this */
        public Builder<T> metrics(MetricsSink metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** @param logSink where log events go (default: JSON lines on standard output) @return this */
        public Builder<T> logSink(LogSink logSink) {
            this.logSink = Objects.requireNonNull(logSink, "logSink");
            return this;
        }

        /** @param clock the clock @return this */
        public Builder<T> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param enabled register SnapStart priming (default: {@link AwsConfig#snapStartPriming()}) @return this */
        public Builder<T> snapStartPriming(boolean enabled) {
            this.snapStartPriming = enabled;
            return this;
        }

        /**
         * @param tracing where spans go (default {@link Tracing#global()}: the ADOT layer's OpenTelemetry, a no-op
         *     without it)
         * @return this
         */
        public Builder<T> tracing(Tracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * @param customizer adjusts the pipeline beyond the configuration (classifier, circuit breaker,
         *     signatures, handler timeout, ...); called last
         * @return this
         */
        public Builder<T> processor(Consumer<BatchProcessor.Builder<T>> customizer) {
            this.customizer = Objects.requireNonNull(customizer, "processor");
            return this;
        }

        /** @return the consumer @throws IllegalArgumentException naming a missing or invalid property */
        public SqsBatchConsumer<T> build() {
            if (config == null) {
                throw new IllegalArgumentException("config is required (or call fromEnvironment())");
            }
            if (codec == null) {
                throw new IllegalArgumentException("codec is required");
            }
            if (handler == null) {
                throw new IllegalArgumentException("handler is required");
            }
            SluiceConfig cfg = config;
            SqsClient sqs = sqsClient != null ? sqsClient : AwsClients.sqs();
            LogSink logs = logSink != null ? logSink : LambdaJsonLogSink.toStandardOutput(awsConfig.logLevel());
            MetricsSink sink = metrics != null ? metrics : EmfMetricsSink.toStandardOutput(awsConfig.metricsNamespace());
            DynamoDbIdempotencyStore tableStore = null;
            DynamoDbClient tableClient = null;
            IdempotencyOptions options = idempotency;
            if (options == null && cfg.idempotencyTable().isPresent()) {
                tableClient = dynamoDbClient != null ? dynamoDbClient : AwsClients.dynamoDb();
                DynamoDbIdempotencyStore.Builder store = DynamoDbIdempotencyStore.builder()
                        .client(tableClient)
                        .table(cfg.idempotencyTable().get());
                if (awsConfig.keyFormat() == AwsConfig.KeyFormat.POWERTOOLS) {
                    store.powertoolsKeys(awsConfig.functionName(), awsConfig.powertoolsHandlerName());
                } else {
                    store.keyPrefix(cfg.queueName());
                }
                tableStore = store.build();
                options = IdempotencyOptions.from(cfg, tableStore,
                        idempotencyMode != null ? idempotencyMode : awsConfig.idempotencyMode()).build();
            }
            // SecureRandom: after a SnapStart restore every instance would otherwise share one jitter sequence
            BatchProcessor.Builder<T> pipeline = BatchProcessor.<T>builder()
                    .config(cfg)
                    .codec(codec)
                    .handler(handler)
                    .idempotency(options)
                    .metrics(sink)
                    .logSink(logs)
                    .clock(clock)
                    .random(new SecureRandom());
            if (cfg.signingKeysSecret().isPresent()) {
                // keys in Secrets Manager: read now (a failure fails start-up) and re-read as the configuration says
                pipeline.signatures(MessageSignatures.with(
                        SecretsManagerSigningKeys.source(cfg, secretsManagerClient, clock).orElseThrow(), cfg.signaturePolicy()));
            }
            if (cfg.payloadStore().isPresent()) {
                // claim-check: the pipeline reads pointed-to payloads from the store SLUICE_PAYLOAD_STORE names
                PayloadLocation location = cfg.payloadStore().get();
                if (location.store() != PayloadPointer.Store.S3) {
                    throw new ConfigurationException(SluiceConfig.SLUICE_PAYLOAD_STORE,
                            "an SQS consumer reads payloads from S3: expected 's3://<bucket>[/<prefix>]', got '" + location + "'");
                }
                requireS3Sdk();
                pipeline.payloadStore(S3PayloadStore.of(s3Client != null ? s3Client : AwsClients.s3(), location));
            }
            Tracing spans = tracing != null ? tracing : Tracing.global();
            pipeline.tracing(spans);
            customizer.accept(pipeline);
            BatchProcessor<T> processor = pipeline.build();
            StructuredLog log = new StructuredLog(logs, Map.of("queue_name", processor.queueName()));
            QueueDirectory queues = new QueueDirectory(sqs, queueUrl, deadLetterQueueUrl, cfg.dlqName().orElse(null));
            BatchActions actions = new BatchActions(sqs, queues, processor.retryPolicy(), new SecureRandom(), log, spans);
            SnapStartPriming priming = new SnapStartPriming(primingSteps(cfg, codec, sqs, tableStore, tableClient), log);
            if (snapStartPriming != null ? snapStartPriming : awsConfig.snapStartPriming()) {
                priming.register();
            }
            return new SqsBatchConsumer<>(processor, actions, clock, log, priming);
        }

        private static <T> List<SnapStartPriming.Step> primingSteps(SluiceConfig cfg, MessageCodec<T> codec, SqsClient sqs,
                                                                    @Nullable DynamoDbIdempotencyStore store,
                                                                    @Nullable DynamoDbClient dynamoDb) {
            List<SnapStartPriming.Step> steps = new ArrayList<>();
            steps.add(new SnapStartPriming.Step("pipeline", () -> {
                // Jackson, the event mapping and the pipeline on a synthetic message, with a handler that does nothing
                BatchProcessor<T> dry = BatchProcessor.<T>builder().queueName(cfg.queueName()).codec(codec)
                        .handler((message, context) -> { }).logSink(event -> { }).build();
                SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
                record.setMessageId("sluice-priming");
                record.setBody("{}");
                record.setEventSourceArn("arn:aws:sqs:priming:000000000000:" + cfg.queueName());
                record.setAttributes(Map.of(SqsMessages.RECEIVE_COUNT, "1"));
                dry.process(List.of(SqsMessages.toIncoming(record)), Instant.MAX);
                JsonCodec.defaultMapper().createObjectNode().put("priming", true).toString();
            }));
            steps.add(new SnapStartPriming.Step("sqs", () -> sqs.getQueueUrl(r -> r.queueName(cfg.queueName()))));
            if (store != null && dynamoDb != null) {
                // a read of a key no message uses: primes marshalling, signing and HTTP without writing anything
                Map<String, AttributeValue> key = new HashMap<>();
                key.put(DynamoDbIdempotencyStore.ID, AttributeValue.builder().s("sluice-priming").build());
                steps.add(new SnapStartPriming.Step("dynamodb", () -> dynamoDb.getItem(r -> r.tableName(store.table()).key(key))));
            }
            return steps;
        }
    }

    /**
     * The S3 SDK is optional (it would add about 2.3 MB to every Lambda jar): a function that names a payload store
     * must bring it, and one that does not is told so at start rather than at its first claim-checked message.
     */
    private static void requireS3Sdk() {
        try {
            Class.forName("software.amazon.awssdk.services.s3.S3Client", false, SqsBatchConsumer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigurationException(SluiceConfig.SLUICE_PAYLOAD_STORE, "reading claim-checked payloads needs the"
                    + " S3 SDK: add software.amazon.awssdk:s3 to the function's dependencies");
        }
    }
}
