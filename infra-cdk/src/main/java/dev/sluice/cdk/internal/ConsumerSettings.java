package dev.sluice.cdk.internal;

import dev.sluice.cdk.ConsumerTracing;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.sns.ITopic;

/**
 * The resolved settings of one consumer: the builder's values with defaults applied, not yet
 * validated. Durations are plain {@link Duration}s so the rules can compare them without jsii calls.
 *
 * @param queueBaseName the queue name without {@code .fifo}; {@code null} to generate one
 * @param deadLetterRateAlarmPercent dead letters per received message, in percent, that raise the alarm
 * @param retryRateAlarmPercent retries per received message, in percent, that raise the alarm
 * @param handlerLatencyAlarmThreshold the handler's p95 duration that raises the alarm
 * @param queueDepthGrowthAlarmPeriods consecutive 5-minute periods of growing depth that raise the alarm
 * @param adotLayerArn the ADOT layer version ARN; only with {@link ConsumerTracing#ADOT}
 * @param signingKeysSecret the Secrets Manager secret holding the signing keys; {@code null} if none
 * @param payloadStore whether the consumer resolves claim-check payloads from an S3 bucket
 * @param payloadBucket the user's payload bucket; {@code null} to create one (with {@code payloadStore})
 * @param payloadStoreExplicitlyOff {@code payloadStore(false)} was called
 * @param payloadRetention how long stored payloads live before the bucket's lifecycle rule expires them
 * @param payloadRetentionSet {@code payloadRetention(...)} was called (not the default)
 * @param deletePayloadsAfterSuccess {@code SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS}
 * @param deletePayloadsSet {@code deletePayloadsAfterSuccess(...)} was called (not the default)
 */
public record ConsumerSettings(
        @Nullable String queueBaseName,
        boolean fifo,
        Duration messageRetention,
        Duration visibilityTimeout,
        int maxReceiveCount,
        Code code,
        String handler,
        int memorySizeMb,
        Duration timeout,
        Map<String, String> environment,
        RetentionDays logRetention,
        int batchSize,
        @Nullable Duration maxBatchingWindow,
        @Nullable Integer maxConcurrency,
        int maxRetryAttempts,
        Duration retryBackoff,
        Duration retryBackoffMax,
        Duration idempotencyTtl,
        Duration redriveWindow,
        Duration signatureMaxAge,
        Duration signatureClockSkew,
        Duration oldestMessageAgeAlarmThreshold,
        double deadLetterRateAlarmPercent,
        double retryRateAlarmPercent,
        Duration handlerLatencyAlarmThreshold,
        int queueDepthGrowthAlarmPeriods,
        @Nullable ITopic alarmTopic,
        IPrincipal redrivePrincipal,
        ConsumerTracing tracing,
        @Nullable String adotLayerArn,
        @Nullable ISecret signingKeysSecret,
        boolean payloadStore,
        @Nullable IBucket payloadBucket,
        boolean payloadStoreExplicitlyOff,
        Duration payloadRetention,
        boolean payloadRetentionSet,
        boolean deletePayloadsAfterSuccess,
        boolean deletePayloadsSet) {

    /** SQS keeps messages at most 14 days; the DLQ always keeps them that long. */
    public static final Duration DLQ_RETENTION = Duration.ofDays(14);

    /**
     * What the default idempotency TTL adds to the DLQ retention plus the redrive window, so that the
     * default signature maximum age (that sum) plus the clock skew fits under it.
     */
    public static final Duration IDEMPOTENCY_TTL_MARGIN = Duration.ofDays(1);

    /** The visibility timeout must cover this many function timeouts (AWS guidance for SQS sources). */
    public static final int VISIBILITY_TIMEOUT_FACTOR = 6;

    /** The variable naming the signing keys, or the secret holding them. */
    public static final String SIGNING_KEYS_VARIABLE = "SLUICE_SIGNING_KEYS";

    /** The variable naming the claim-check payload store, {@code s3://<bucket>/}. */
    public static final String PAYLOAD_STORE_VARIABLE = "SLUICE_PAYLOAD_STORE";

    /** Whether the consumer deletes a stored payload once its message succeeded. */
    public static final String PAYLOAD_DELETE_VARIABLE = "SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS";

    /**
     * The default payload retention: a payload is stored when its message is sent, so it must outlive
     * the message's time in the source queue (messageRetention), then in the DLQ (14 days: Sluice's own
     * dead-lettering sends a new message, and a FIFO redrive resets the age), then the redrive window;
     * rounded up to whole days, the unit of S3 lifecycle expiration.
     */
    public static Duration defaultPayloadRetention(Duration messageRetention, Duration redriveWindow) {
        Duration total = messageRetention.plus(DLQ_RETENTION).plus(redriveWindow);
        long days = total.toDays() + (total.equals(Duration.ofDays(total.toDays())) ? 0 : 1);
        return Duration.ofDays(days);
    }

    public ConsumerSettings {
        environment = Map.copyOf(environment);
    }
}
