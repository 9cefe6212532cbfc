package dev.sluice.cdk.internal;

import dev.sluice.cdk.ConsumerTracing;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awscdk.services.iam.IPrincipal;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.logs.RetentionDays;
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
        @Nullable String adotLayerArn) {

    /** SQS keeps messages at most 14 days; the DLQ always keeps them that long. */
    public static final Duration DLQ_RETENTION = Duration.ofDays(14);

    /**
     * What the default idempotency TTL adds to the DLQ retention plus the redrive window, so that the
     * default signature maximum age (that sum) plus the clock skew fits under it.
     */
    public static final Duration IDEMPOTENCY_TTL_MARGIN = Duration.ofDays(1);

    /** The visibility timeout must cover this many function timeouts (AWS guidance for SQS sources). */
    public static final int VISIBILITY_TIMEOUT_FACTOR = 6;

    public ConsumerSettings {
        environment = Map.copyOf(environment);
    }
}
