package dev.sluice.cdk;

import dev.sluice.cdk.internal.ConsumerMonitoring;
import dev.sluice.cdk.internal.ConsumerSettings;
import dev.sluice.cdk.internal.QueueNames;
import dev.sluice.cdk.internal.SettingsValidator;
import dev.sluice.cdk.internal.Suppressions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.TimeConversionOptions;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.iam.Policy;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.IKey;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LayerVersion;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.Tracing;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.sqs.RedriveAllowPolicy;
import software.amazon.awscdk.services.sqs.RedrivePermission;
import software.constructs.Construct;

/**
 * One Sluice consumer on AWS: an SQS queue and its dead-letter queue, the Lambda function (java21,
 * arm64, SnapStart on the {@code live} alias) triggered by the queue with partial batch responses,
 * the DynamoDB idempotency table, alarms to an SNS topic, a dashboard, and a separate role that
 * alone may redrive the dead-letter queue. Optionally, read access to the signing keys in a Secrets
 * Manager secret ({@link Builder#signingKeysSecret(ISecret)}) and an S3 claim-check store for large
 * payloads ({@link Builder#payloadStore(boolean)}, {@link Builder#payloadBucket(IBucket)}).
 *
 * <pre>{@code
 * QueueConsumer consumer = QueueConsumer.builder(stack, "OrderEvents")
 *         .queueName("order-events")
 *         .code(Code.fromAsset("functions-aws/target/functions-aws-lambda.jar"))
 *         .handler("com.example.OrderEventsFunction::handleRequest")
 *         .build();
 * }</pre>
 *
 * <p>{@link Builder#build()} rejects inconsistent settings with a
 * {@link QueueConsumerValidationException}, so {@code cdk synth} fails before anything deploys.
 * The table and the log group are retained when the stack is deleted.
 */
public final class QueueConsumer extends Construct {

    /** The name of the alias the queue triggers; SnapStart snapshots its published version. */
    public static final String ALIAS_NAME = "live";

    /** The variable that makes Lambda start the runtime through the ADOT layer's wrapper. */
    public static final String ADOT_EXEC_WRAPPER_VARIABLE = "AWS_LAMBDA_EXEC_WRAPPER";

    /** The wrapper script of the ADOT Java Lambda layers, the default with {@link ConsumerTracing#ADOT}. */
    public static final String ADOT_EXEC_WRAPPER = "/opt/otel-handler";

    private final Queue queue;
    private final Queue deadLetterQueue;
    private final Function function;
    private final Alias alias;
    private final Role functionRole;
    private final Table idempotencyTable;
    private final Role redriveRole;
    private final ConsumerMonitoring.Resources monitoring;
    private final @Nullable IBucket payloadBucket;

    private QueueConsumer(Construct scope, String id, ConsumerSettings s) {
        super(scope, id);
        String base = s.queueBaseName() != null ? s.queueBaseName()
                : Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                        .maxLength(QueueNames.MAX_BASE_LENGTH).separator("-").build());
        QueueNames names = QueueNames.of(base, s.fifo());
        Boolean fifo = s.fifo() ? Boolean.TRUE : null;

        // Naming the source queue by ARN (not by reference) avoids a cycle with its redrive policy.
        String sourceQueueArn = Stack.of(this).formatArn(ArnComponents.builder()
                .service("sqs").resource(names.queue()).arnFormat(ArnFormat.NO_RESOURCE_NAME).build());
        this.deadLetterQueue = Queue.Builder.create(this, "DeadLetterQueue")
                .queueName(names.deadLetterQueue())
                .fifo(fifo)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(seconds(ConsumerSettings.DLQ_RETENTION))
                .redriveAllowPolicy(RedriveAllowPolicy.builder()
                        .redrivePermission(RedrivePermission.BY_QUEUE)
                        .sourceQueues(List.of(Queue.fromQueueArn(this, "SourceQueueRef", sourceQueueArn)))
                        .build())
                .build();
        this.queue = Queue.Builder.create(this, "Queue")
                .queueName(names.queue())
                .fifo(fifo)
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(seconds(s.visibilityTimeout()))
                .retentionPeriod(seconds(s.messageRetention()))
                .deadLetterQueue(DeadLetterQueue.builder()
                        .queue(deadLetterQueue).maxReceiveCount(s.maxReceiveCount()).build())
                .build();

        this.idempotencyTable = Table.Builder.create(this, "IdempotencyTable")
                .partitionKey(Attribute.builder().name("id").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .timeToLiveAttribute("expiration")
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .build();

        this.functionRole = consumerRole(names);
        ISecret signingKeys = s.signingKeysSecret();
        if (signingKeys != null) {
            // GetSecretValue and DescribeSecret on the secret
            signingKeys.grantRead(functionRole);
            IKey key = signingKeys.getEncryptionKey();
            if (key != null) {
                // grantRead puts kms:Decrypt (via Secrets Manager) in the key's policy, which an imported key
                // does not get: the role's own statement works for either
                functionRole.addToPrincipalPolicy(PolicyStatement.Builder.create()
                        .sid("DecryptSigningKeysSecret")
                        .actions(List.of("kms:Decrypt"))
                        .resources(List.of(key.getKeyArn()))
                        .conditions(Map.of("StringEquals", Map.of("kms:ViaService",
                                "secretsmanager." + Stack.of(this).getRegion() + ".amazonaws.com")))
                        .build());
            }
        }
        this.payloadBucket = s.payloadStore() ? payloadBucket(s) : null;
        Policy payloadAccess = payloadBucket == null ? null : payloadAccess(payloadBucket);
        LogGroup logGroup = LogGroup.Builder.create(this, "FunctionLogGroup").retention(s.logRetention()).build();
        logGroup.grantWrite(functionRole);
        this.function = Function.Builder.create(this, "Function")
                .description("Sluice consumer of " + names.queue())
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .code(s.code())
                .handler(s.handler())
                .memorySize(s.memorySizeMb())
                .timeout(seconds(s.timeout()))
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .role(functionRole)
                .logGroup(logGroup)
                .environment(environment(s, names))
                .tracing(s.tracing() == ConsumerTracing.NONE ? null : Tracing.ACTIVE)
                .layers(s.tracing() == ConsumerTracing.ADOT
                        ? List.of(LayerVersion.fromLayerVersionArn(this, "AdotLayer", Objects.requireNonNull(s.adotLayerArn())))
                        : null)
                .build();
        Suppressions.javaRuntime(function);
        if (payloadAccess != null) {
            // the function may start (SnapStart publishes a version at deploy) only once it may read payloads
            function.getNode().addDependency(payloadAccess);
        }
        if (s.tracing() != ConsumerTracing.NONE) {
            Suppressions.xrayWrites(functionRole);
        }
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "The event source triggers the '" + ALIAS_NAME + "' alias of a published version");
        this.alias = Alias.Builder.create(this, "LiveAlias")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                .build();
        alias.addEventSource(SqsEventSource.Builder.create(queue)
                .reportBatchItemFailures(true)
                .batchSize(s.batchSize())
                .maxBatchingWindow(s.maxBatchingWindow() == null ? null : seconds(s.maxBatchingWindow()))
                .maxConcurrency(s.maxConcurrency())
                .build());

        this.redriveRole = redriveRole(names, s.redrivePrincipal());
        this.monitoring = ConsumerMonitoring.create(this, base, names, queue, deadLetterQueue, function, s);
    }

    /**
     * Starts a builder for a consumer with construct id {@code id} under {@code scope}.
     *
     * @param scope usually the stack
     * @param id the construct id, unique within {@code scope}
     */
    public static Builder builder(Construct scope, String id) {
        return new Builder(Objects.requireNonNull(scope, "scope"), Objects.requireNonNull(id, "id"));
    }

    private Role consumerRole(QueueNames names) {
        // Consume rights on the queue come from the event source; the DLQ send is Sluice's own
        // dead-lettering. No managed policy: log writes are granted on the function's log group only.
        Role role = Role.Builder.create(this, "FunctionRole")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Sluice consumer of " + names.queue() + ": consume, dead-letter, idempotency, logs")
                .build();
        deadLetterQueue.grantSendMessages(role);
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("IdempotencyRecords")
                .actions(List.of("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"))
                .resources(List.of(idempotencyTable.getTableArn()))
                .build());
        return role;
    }

    private IBucket payloadBucket(ConsumerSettings s) {
        IBucket given = s.payloadBucket();
        if (given != null) {
            return given;
        }
        Bucket bucket = Bucket.Builder.create(this, "PayloadBucket")
                .encryption(BucketEncryption.S3_MANAGED)
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .enforceSsl(true)
                .versioned(false)
                .lifecycleRules(List.of(LifecycleRule.builder()
                        .id("ExpirePayloads")
                        .expiration(Duration.days(s.payloadRetention().toDays()))
                        .abortIncompleteMultipartUploadAfter(Duration.days(1))
                        .build()))
                .build();
        Suppressions.payloadBucketAccessLogs(bucket);
        return bucket;
    }

    /**
     * Read and delete on the payload objects only (no List, no bucket-level action), in a policy of its
     * own so that the one wildcard it needs (object keys are chosen by producers) is reviewed on its own.
     */
    private Policy payloadAccess(IBucket bucket) {
        Policy policy = Policy.Builder.create(this, "PayloadAccess")
                .statements(List.of(PolicyStatement.Builder.create()
                        .sid("ReadAndDeletePayloads")
                        .actions(List.of("s3:GetObject", "s3:DeleteObject"))
                        .resources(List.of(bucket.arnForObjects("*")))
                        .build()))
                .roles(List.of(functionRole))
                .build();
        if (bucket.getEncryptionKey() != null) {
            bucket.getEncryptionKey().grantDecrypt(functionRole);
        }
        Suppressions.payloadObjects(policy);
        return policy;
    }

    private Role redriveRole(QueueNames names, IPrincipal principal) {
        Role role = Role.Builder.create(this, "RedriveRole")
                .assumedBy(principal)
                .description("Redrives the dead-letter queue " + names.deadLetterQueue() + " to " + names.queue())
                .build();
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("MoveAndReadDeadLetters")
                .actions(List.of("sqs:StartMessageMoveTask", "sqs:CancelMessageMoveTask",
                        "sqs:ListMessageMoveTasks", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                        "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"))
                .resources(List.of(deadLetterQueue.getQueueArn()))
                .build());
        role.addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("SendBackToSourceQueue")
                .actions(List.of("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"))
                .resources(List.of(queue.getQueueArn()))
                .build());
        return role;
    }

    private Map<String, String> environment(ConsumerSettings s, QueueNames names) {
        Map<String, String> env = new LinkedHashMap<>(s.environment());
        env.put("QUEUE_NAME", names.queue());
        env.put("QUEUE_DLQ_NAME", names.deadLetterQueue());
        env.put("QUEUE_MAX_RETRY_ATTEMPTS", Integer.toString(s.maxRetryAttempts()));
        env.put("QUEUE_RETRY_BACKOFF_MS", Long.toString(s.retryBackoff().toMillis()));
        env.put("QUEUE_RETRY_BACKOFF_MAX_MS", Long.toString(s.retryBackoffMax().toMillis()));
        env.put("QUEUE_VISIBILITY_TIMEOUT_SECONDS", Long.toString(s.visibilityTimeout().toSeconds()));
        env.put("IDEMPOTENCY_TABLE", idempotencyTable.getTableName());
        env.put("IDEMPOTENCY_TTL_SECONDS", Long.toString(s.idempotencyTtl().toSeconds()));
        env.put("SLUICE_SIGNATURE_MAX_AGE_SECONDS", Long.toString(s.signatureMaxAge().toSeconds()));
        env.put("SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS", Long.toString(s.signatureClockSkew().toSeconds()));
        ISecret signingKeys = s.signingKeysSecret();
        if (signingKeys != null) {
            env.put(ConsumerSettings.SIGNING_KEYS_VARIABLE, "aws-secretsmanager:" + signingKeys.getSecretArn());
        }
        if (payloadBucket != null) {
            env.put(ConsumerSettings.PAYLOAD_STORE_VARIABLE, "s3://" + payloadBucket.getBucketName() + "/");
            env.put(ConsumerSettings.PAYLOAD_DELETE_VARIABLE, Boolean.toString(s.deletePayloadsAfterSuccess()));
        }
        if (s.tracing() == ConsumerTracing.ADOT) {
            // the ADOT Java layers' wrapper; an environment entry of the same name wins
            env.putIfAbsent(ADOT_EXEC_WRAPPER_VARIABLE, ADOT_EXEC_WRAPPER);
        }
        return env;
    }

    private static Duration seconds(java.time.Duration d) {
        return Duration.seconds(d.toSeconds());
    }

    /** The source queue the function consumes. */
    public Queue queue() {
        return queue;
    }

    /** The dead-letter queue: Sluice's own dead letters, and SQS's after {@code maxReceiveCount}. */
    public Queue deadLetterQueue() {
        return deadLetterQueue;
    }

    /** The consumer function; the queue triggers its {@link #alias()}, not {@code $LATEST}. */
    public Function function() {
        return function;
    }

    /** The {@value #ALIAS_NAME} alias on the current published version (SnapStart needs one). */
    public Alias alias() {
        return alias;
    }

    /** The function's execution role: consume, dead-letter, idempotency records and logs only. */
    public Role functionRole() {
        return functionRole;
    }

    /** The idempotency table (partition key {@code id}, TTL attribute {@code expiration}). */
    public Table idempotencyTable() {
        return idempotencyTable;
    }

    /** The only role allowed to start message move tasks (DLQ redrives) on the dead-letter queue. */
    public Role redriveRole() {
        return redriveRole;
    }

    /**
     * The claim-check bucket of large payloads, or {@code null} without a payload store. The function may
     * read and delete its objects; grant producers {@code payloadBucket().grantPut(producer)}.
     */
    public @Nullable IBucket payloadBucket() {
        return payloadBucket;
    }

    /** The topic every alarm publishes to; subscribe your on-call channel to it. */
    public ITopic alarmTopic() {
        return monitoring.topic();
    }

    /**
     * DLQ not empty, oldest message age, function errors, function throttles, dead-letter rate, retry
     * rate, handler p95 latency and queue depth growing, in that order.
     */
    public List<Alarm> alarms() {
        return monitoring.alarms();
    }

    /** The CloudWatch dashboard of the queue, the DLQ and the function. */
    public Dashboard dashboard() {
        return monitoring.dashboard();
    }

    /**
     * Configures a {@link QueueConsumer}. Only {@link #code(Code)} and {@link #handler(String)} are
     * required; every default keeps Sluice's guarantees. {@link #build()} validates all settings.
     */
    public static final class Builder {

        private static final TimeConversionOptions EXACT = TimeConversionOptions.builder().integral(false).build();

        private final Construct scope;
        private final String id;
        private @Nullable String queueName;
        private boolean fifo;
        private java.time.Duration messageRetention = java.time.Duration.ofDays(4);
        private java.time.@Nullable Duration visibilityTimeout;
        private @Nullable Integer maxReceiveCount;
        private @Nullable Code code;
        private @Nullable String handler;
        private int memorySize = 1024;
        private java.time.Duration timeout = java.time.Duration.ofSeconds(30);
        private final Map<String, String> environment = new LinkedHashMap<>();
        private RetentionDays logRetention = RetentionDays.ONE_MONTH;
        private int batchSize = 10;
        private java.time.@Nullable Duration maxBatchingWindow;
        private @Nullable Integer maxConcurrency;
        private int maxRetryAttempts = 3;
        private java.time.Duration retryBackoff = java.time.Duration.ofSeconds(1);
        private java.time.Duration retryBackoffMax = java.time.Duration.ofMinutes(5);
        private java.time.@Nullable Duration idempotencyTtl;
        private java.time.Duration redriveWindow = java.time.Duration.ofDays(7);
        private java.time.@Nullable Duration signatureMaxAge;
        private java.time.Duration signatureClockSkew = java.time.Duration.ofMinutes(5);
        private java.time.Duration oldestMessageAgeAlarmThreshold = java.time.Duration.ofMinutes(15);
        private double deadLetterRateAlarmThreshold = 5;
        private double retryRateAlarmThreshold = 10;
        private java.time.Duration handlerLatencyAlarmThreshold = java.time.Duration.ofMillis(500);
        private int queueDepthGrowthAlarmPeriods = 3;
        private ConsumerTracing tracing = ConsumerTracing.NONE;
        private @Nullable String adotLayerArn;
        private @Nullable ITopic alarmTopic;
        private @Nullable IPrincipal redrivePrincipal;
        private @Nullable ISecret signingKeysSecret;
        private @Nullable Boolean payloadStore;
        private @Nullable IBucket payloadBucket;
        private java.time.@Nullable Duration payloadRetention;
        private @Nullable Boolean deletePayloadsAfterSuccess;

        private Builder(Construct scope, String id) {
            this.scope = scope;
            this.id = id;
        }

        /** Base name of the queue; the DLQ is {@code <name>-dlq}. Default: derived from the construct path. */
        public Builder queueName(String queueName) {
            this.queueName = Objects.requireNonNull(queueName, "queueName");
            return this;
        }

        /** A FIFO queue and DLQ ({@code .fifo} is appended to the names). Default: standard queues. */
        public Builder fifo(boolean fifo) {
            this.fifo = fifo;
            return this;
        }

        /** How long the source queue keeps a message. Default: 4 days. The DLQ always keeps 14 days. */
        public Builder messageRetention(Duration messageRetention) {
            this.messageRetention = toJava(messageRetention, "messageRetention");
            return this;
        }

        /** The queue's visibility timeout. Default and minimum: 6 x {@link #timeout(Duration)}. */
        public Builder visibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = toJava(visibilityTimeout, "visibilityTimeout");
            return this;
        }

        /** Receives before SQS moves a message to the DLQ (the crash safety net). Default: maxRetryAttempts + 2. */
        public Builder maxReceiveCount(int maxReceiveCount) {
            this.maxReceiveCount = maxReceiveCount;
            return this;
        }

        /** The deployment package, e.g. {@code Code.fromAsset("target/my-lambda.jar")}. Required. */
        public Builder code(Code code) {
            this.code = Objects.requireNonNull(code, "code");
            return this;
        }

        /** The handler, e.g. {@code com.example.OrderEventsFunction::handleRequest}. Required. */
        public Builder handler(String handler) {
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Function memory in MB (also scales CPU). Default: 1024. */
        public Builder memorySize(int memorySize) {
            this.memorySize = memorySize;
            return this;
        }

        /** Function timeout. Default: 30 seconds. */
        public Builder timeout(Duration timeout) {
            this.timeout = toJava(timeout, "timeout");
            return this;
        }

        /**
         * Extra environment variables; Sluice's own ({@code QUEUE_*}, {@code IDEMPOTENCY_*},
         * {@code SLUICE_SIGNATURE_MAX_AGE_SECONDS}, {@code SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS}) are set by the construct.
         */
        public Builder environment(Map<String, String> environment) {
            this.environment.putAll(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /** Retention of the function's log group. Default: one month. */
        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = Objects.requireNonNull(logRetention, "logRetention");
            return this;
        }

        /** Messages per invocation. Default: 10; above 10 needs {@link #maxBatchingWindow(Duration)}. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** How long the event source gathers a batch (up to 5 minutes). Default: none. Not for FIFO. */
        public Builder maxBatchingWindow(Duration maxBatchingWindow) {
            this.maxBatchingWindow = toJava(maxBatchingWindow, "maxBatchingWindow");
            return this;
        }

        /** Most concurrent invocations the event source starts (2-1000). Default: unlimited. */
        public Builder maxConcurrency(int maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        /** Executions per message, the first included ({@code QUEUE_MAX_RETRY_ATTEMPTS}). Default: 3. */
        public Builder maxRetryAttempts(int maxRetryAttempts) {
            this.maxRetryAttempts = maxRetryAttempts;
            return this;
        }

        /** Backoff base ({@code QUEUE_RETRY_BACKOFF_MS}). Default: 1 second. */
        public Builder retryBackoff(Duration retryBackoff) {
            this.retryBackoff = toJava(retryBackoff, "retryBackoff");
            return this;
        }

        /** Backoff cap ({@code QUEUE_RETRY_BACKOFF_MAX_MS}). Default: 5 minutes. */
        public Builder retryBackoffMax(Duration retryBackoffMax) {
            this.retryBackoffMax = toJava(retryBackoffMax, "retryBackoffMax");
            return this;
        }

        /**
         * Idempotency record lifetime ({@code IDEMPOTENCY_TTL_SECONDS}). Default: 14 days + redriveWindow
         * + 1 day (22 days), so the default {@link #signatureMaxAge(Duration)} plus the
         * {@link #signatureClockSkew(Duration)} fits under it. At least 14 days + redriveWindow, and at
         * least signatureMaxAge + signatureClockSkew.
         */
        public Builder idempotencyTtl(Duration idempotencyTtl) {
            this.idempotencyTtl = toJava(idempotencyTtl, "idempotencyTtl");
            return this;
        }

        /**
         * How long after the DLQ's 14-day retention a message may still be redriven and must still be
         * recognised as done. Default: 7 days.
         */
        public Builder redriveWindow(Duration redriveWindow) {
            this.redriveWindow = toJava(redriveWindow, "redriveWindow");
            return this;
        }

        /**
         * The oldest signed sent-at the consumer accepts ({@code SLUICE_SIGNATURE_MAX_AGE_SECONDS}); only
         * used when the function verifies signatures. Default: 14 days + redriveWindow. At least that, or a
         * message redriven at the end of the window is refused as stale; at most idempotencyTtl minus
         * {@link #signatureClockSkew(Duration)}, or a replay accepted after its idempotency record expired
         * is applied twice.
         */
        public Builder signatureMaxAge(Duration signatureMaxAge) {
            this.signatureMaxAge = toJava(signatureMaxAge, "signatureMaxAge");
            return this;
        }

        /**
         * How far in the future a signed sent-at may lie ({@code SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS}).
         * Default: 5 minutes; at most 1 hour.
         */
        public Builder signatureClockSkew(Duration signatureClockSkew) {
            this.signatureClockSkew = toJava(signatureClockSkew, "signatureClockSkew");
            return this;
        }

        /** Age of the oldest queued message that raises the alarm. Default: 15 minutes. */
        public Builder oldestMessageAgeAlarmThreshold(Duration threshold) {
            this.oldestMessageAgeAlarmThreshold = toJava(threshold, "oldestMessageAgeAlarmThreshold");
            return this;
        }

        /**
         * Dead letters (all failure kinds) per received message, in percent, over 5 minutes, above which
         * the dead-letter rate alarm fires. Default: 5. Above 0, at most 100.
         */
        public Builder deadLetterRateAlarmThreshold(double percent) {
            this.deadLetterRateAlarmThreshold = percent;
            return this;
        }

        /**
         * Retries per received message, in percent, over 5 minutes, above which the retry rate alarm
         * fires. Default: 10. Above 0, at most 100.
         */
        public Builder retryRateAlarmThreshold(double percent) {
            this.retryRateAlarmThreshold = percent;
            return this;
        }

        /**
         * The handler's 95th percentile duration over 5 minutes above which the latency alarm fires.
         * Default: 500 ms. Positive and below {@link #timeout(Duration)}.
         */
        public Builder handlerLatencyAlarmThreshold(Duration threshold) {
            this.handlerLatencyAlarmThreshold = toJava(threshold, "handlerLatencyAlarmThreshold");
            return this;
        }

        /**
         * Consecutive 5-minute periods in which the queue's depth must rise before the growth alarm
         * fires. Default: 3 (15 minutes). 2 to 288.
         */
        public Builder queueDepthGrowthAlarmPeriods(int periods) {
            this.queueDepthGrowthAlarmPeriods = periods;
            return this;
        }

        /** How the function is traced: none, X-Ray active tracing, or ADOT. Default: {@link ConsumerTracing#NONE}. */
        public Builder tracing(ConsumerTracing tracing) {
            this.tracing = Objects.requireNonNull(tracing, "tracing");
            return this;
        }

        /**
         * The ADOT Java Lambda layer version, e.g. {@code arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-java-wrapper-arm64-ver-1-32-0:5}
         * (arm64, same region as the stack). Required with, and only with, {@link ConsumerTracing#ADOT}.
         */
        public Builder adotLayerArn(String adotLayerArn) {
            this.adotLayerArn = Objects.requireNonNull(adotLayerArn, "adotLayerArn");
            return this;
        }

        /** An existing topic for the alarms (e.g. KMS-encrypted). Default: a new TLS-only topic. */
        public Builder alarmTopic(ITopic alarmTopic) {
            this.alarmTopic = Objects.requireNonNull(alarmTopic, "alarmTopic");
            return this;
        }

        /** Who may assume the redrive role. Default: principals of this account that IAM allows to. */
        public Builder redrivePrincipal(IPrincipal redrivePrincipal) {
            this.redrivePrincipal = Objects.requireNonNull(redrivePrincipal, "redrivePrincipal");
            return this;
        }

        /**
         * The Secrets Manager secret holding the signing keys: sets {@code SLUICE_SIGNING_KEYS} to
         * {@code aws-secretsmanager:<secret ARN>} and grants the function read access to the secret (and
         * {@code kms:Decrypt} through Secrets Manager when the secret names its customer-managed key). Do not
         * also set {@code SLUICE_SIGNING_KEYS} in {@link #environment(Map)}. Default: none (keys, if any, come
         * from the environment). Import an existing secret with its complete ARN
         * ({@code Secret.fromSecretCompleteArn}), or the grant ends in a {@code -??????} wildcard.
         */
        public Builder signingKeysSecret(ISecret signingKeysSecret) {
            this.signingKeysSecret = Objects.requireNonNull(signingKeysSecret, "signingKeysSecret");
            return this;
        }

        /**
         * A claim-check store for payloads too large for SQS: a new S3 bucket (SSE-S3, public access blocked,
         * TLS only, unversioned, objects expired after {@link #payloadRetention(Duration)}), or the
         * {@link #payloadBucket(IBucket)} given. Sets {@code SLUICE_PAYLOAD_STORE=s3://<bucket>/} and
         * {@code SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS}, and lets the function get and delete the bucket's
         * objects; producers need {@code consumer.payloadBucket().grantPut(producer)}. Default: false.
         */
        public Builder payloadStore(boolean payloadStore) {
            this.payloadStore = payloadStore;
            return this;
        }

        /**
         * An existing bucket as the claim-check store (implies {@link #payloadStore(boolean)}); its own
         * lifecycle rules must keep payloads at least messageRetention + 14 days. If it is encrypted with a
         * customer-managed key, import it with that key ({@code Bucket.fromBucketAttributes}) so that the
         * function is granted {@code kms:Decrypt}. Default: a bucket the construct creates.
         */
        public Builder payloadBucket(IBucket payloadBucket) {
            this.payloadBucket = Objects.requireNonNull(payloadBucket, "payloadBucket");
            return this;
        }

        /**
         * How long the created payload bucket keeps an object (whole days, the lifecycle rule's unit).
         * Default: messageRetention + 14 days (DLQ retention) + redriveWindow, rounded up to days (25 days
         * with the defaults). At least messageRetention + 14 days: a payload is stored when its message is
         * sent, and a dead letter whose payload expired cannot be redriven.
         */
        public Builder payloadRetention(Duration payloadRetention) {
            this.payloadRetention = toJava(payloadRetention, "payloadRetention");
            return this;
        }

        /**
         * Whether the consumer deletes a stored payload once its message succeeded
         * ({@code SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS}). Default: true; only with a payload store. With
         * false, payloads stay until the lifecycle rule expires them.
         */
        public Builder deletePayloadsAfterSuccess(boolean deletePayloadsAfterSuccess) {
            this.deletePayloadsAfterSuccess = deletePayloadsAfterSuccess;
            return this;
        }

        /**
         * Validates every setting and creates the consumer.
         *
         * @throws QueueConsumerValidationException listing every invalid or inconsistent setting
         */
        public QueueConsumer build() {
            String path = scope.getNode().getPath().isEmpty() ? id : scope.getNode().getPath() + "/" + id;
            List<String> missing = new ArrayList<>();
            if (code == null) {
                missing.add("code is required, e.g. Code.fromAsset(\"target/my-lambda.jar\")");
            }
            if (handler == null) {
                missing.add("handler is required, e.g. com.example.Fn::handleRequest");
            }
            if (!missing.isEmpty()) {
                throw new QueueConsumerValidationException(path, missing);
            }
            ConsumerSettings settings = settings();
            List<String> violations = SettingsValidator.violations(settings);
            if (!violations.isEmpty()) {
                throw new QueueConsumerValidationException(path, violations);
            }
            return new QueueConsumer(scope, id, settings);
        }

        private ConsumerSettings settings() {
            String base = queueName;
            if (base != null && fifo && base.endsWith(".fifo")) {
                base = base.substring(0, base.length() - ".fifo".length());
            }
            return new ConsumerSettings(base, fifo, messageRetention,
                    visibilityTimeout != null ? visibilityTimeout
                            : timeout.multipliedBy(ConsumerSettings.VISIBILITY_TIMEOUT_FACTOR),
                    maxReceiveCount != null ? maxReceiveCount : maxRetryAttempts + 2,
                    Objects.requireNonNull(code), Objects.requireNonNull(handler), memorySize, timeout,
                    environment, logRetention, batchSize, maxBatchingWindow, maxConcurrency,
                    maxRetryAttempts, retryBackoff, retryBackoffMax,
                    idempotencyTtl != null ? idempotencyTtl
                            : ConsumerSettings.DLQ_RETENTION.plus(redriveWindow).plus(ConsumerSettings.IDEMPOTENCY_TTL_MARGIN),
                    redriveWindow,
                    signatureMaxAge != null ? signatureMaxAge : ConsumerSettings.DLQ_RETENTION.plus(redriveWindow),
                    signatureClockSkew, oldestMessageAgeAlarmThreshold, deadLetterRateAlarmThreshold,
                    retryRateAlarmThreshold, handlerLatencyAlarmThreshold, queueDepthGrowthAlarmPeriods, alarmTopic,
                    redrivePrincipal != null ? redrivePrincipal : new AccountRootPrincipal(), tracing, adotLayerArn,
                    signingKeysSecret,
                    payloadBucket != null ? !Boolean.FALSE.equals(payloadStore) : Boolean.TRUE.equals(payloadStore),
                    payloadBucket, Boolean.FALSE.equals(payloadStore),
                    payloadRetention != null ? payloadRetention
                            : ConsumerSettings.defaultPayloadRetention(messageRetention, redriveWindow),
                    payloadRetention != null,
                    deletePayloadsAfterSuccess == null || deletePayloadsAfterSuccess,
                    deletePayloadsAfterSuccess != null);
        }

        private static java.time.Duration toJava(Duration duration, String property) {
            Objects.requireNonNull(duration, property);
            return java.time.Duration.ofMillis(duration.toMilliseconds(EXACT).longValue());
        }
    }
}
