package dev.sluice.cdk.internal;

import static dev.sluice.cdk.internal.ConsumerSettings.DLQ_RETENTION;
import static dev.sluice.cdk.internal.ConsumerSettings.VISIBILITY_TIMEOUT_FACTOR;

import dev.sluice.cdk.ConsumerTracing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awscdk.Token;

/**
 * The rules a consumer's settings must satisfy: service limits first, then the consistency rules
 * that keep Sluice's guarantees (no message lost, none applied twice).
 */
public final class SettingsValidator {

    /** Environment variables the construct sets itself; users may not override them. */
    public static final Set<String> SLUICE_VARIABLES = Set.of(
            "QUEUE_NAME", "QUEUE_DLQ_NAME", "QUEUE_MAX_RETRY_ATTEMPTS", "QUEUE_RETRY_BACKOFF_MS",
            "QUEUE_RETRY_BACKOFF_MAX_MS", "QUEUE_VISIBILITY_TIMEOUT_SECONDS", "IDEMPOTENCY_TABLE",
            "IDEMPOTENCY_TTL_SECONDS", "SLUICE_SIGNATURE_MAX_AGE_SECONDS", "SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS");

    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Duration SQS_MAX_VISIBILITY = Duration.ofHours(12);
    private static final Duration LAMBDA_MAX_TIMEOUT = Duration.ofMinutes(15);
    /** The largest SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS the consumer accepts. */
    private static final Duration MAX_CLOCK_SKEW = Duration.ofHours(1);
    /** Growth means at least two rises in a row; 288 five-minute periods are CloudWatch's one-day limit. */
    private static final int MIN_GROWTH_PERIODS = 2;
    private static final int MAX_GROWTH_PERIODS = 288;
    private static final Pattern LAYER_VERSION_ARN =
            Pattern.compile("arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:layer:[A-Za-z0-9_-]+:\\d+");
    private static final Pattern X86_LAYER = Pattern.compile(":layer:[^:]*(amd64|x86)", Pattern.CASE_INSENSITIVE);

    private SettingsValidator() {
    }

    /** Every violated rule, one sentence each naming the property; empty when the settings are valid. */
    public static List<String> violations(ConsumerSettings s) {
        List<String> v = new ArrayList<>();
        limits(s, v);
        consistency(s, v);
        return v;
    }

    private static void limits(ConsumerSettings s, List<String> v) {
        String name = s.queueBaseName();
        if (name != null && name.endsWith(".fifo") && !s.fifo()) {
            v.add("queueName '" + name + "' ends with .fifo but fifo is false: set fifo(true)");
        } else if (name != null) {
            int maxBase = QueueNames.MAX_BASE_LENGTH;
            if (!QUEUE_NAME.matcher(name).matches() || name.length() > maxBase) {
                v.add("queueName '" + name + "' must be 1-" + maxBase + " letters, digits, '-' or '_' "
                        + "(room is kept for the '-dlq' and '.fifo' suffixes)");
            }
        }
        if (s.handler().isBlank()) {
            v.add("handler must name the handler method, e.g. com.example.Fn::handleRequest");
        }
        if (s.memorySizeMb() < 128 || s.memorySizeMb() > 10_240) {
            v.add("memorySize (" + s.memorySizeMb() + " MB) must be between 128 and 10240 MB");
        }
        if (s.timeout().compareTo(Duration.ofSeconds(1)) < 0 || s.timeout().compareTo(LAMBDA_MAX_TIMEOUT) > 0) {
            v.add("timeout (" + s.timeout() + ") must be between 1 second and 15 minutes");
        }
        if (s.visibilityTimeout().compareTo(SQS_MAX_VISIBILITY) > 0) {
            v.add("visibilityTimeout (" + s.visibilityTimeout() + ") must not exceed SQS's 12 hours");
        }
        if (s.messageRetention().compareTo(Duration.ofMinutes(1)) < 0 || s.messageRetention().compareTo(DLQ_RETENTION) > 0) {
            v.add("messageRetention (" + s.messageRetention() + ") must be between 1 minute and 14 days");
        }
        if (s.maxReceiveCount() < 1 || s.maxReceiveCount() > 1000) {
            v.add("maxReceiveCount (" + s.maxReceiveCount() + ") must be between 1 and 1000");
        }
        if (s.maxRetryAttempts() < 1 || s.maxRetryAttempts() > 1000) {
            v.add("maxRetryAttempts (" + s.maxRetryAttempts() + ") must be between 1 and 1000");
        }
        if (s.batchSize() < 1 || s.batchSize() > 10_000) {
            v.add("batchSize (" + s.batchSize() + ") must be between 1 and 10000");
        }
        Duration window = s.maxBatchingWindow();
        if (window != null && window.compareTo(Duration.ofMinutes(5)) > 0) {
            v.add("maxBatchingWindow (" + window + ") must not exceed 5 minutes");
        }
        Integer concurrency = s.maxConcurrency();
        if (concurrency != null && (concurrency < 2 || concurrency > 1000)) {
            v.add("maxConcurrency (" + concurrency + ") must be between 2 and 1000");
        }
        if (s.retryBackoff().isNegative() || s.retryBackoffMax().compareTo(SQS_MAX_VISIBILITY) > 0) {
            v.add("retryBackoff and retryBackoffMax must be between 0 and 12 hours "
                    + "(a retry delay is a ChangeMessageVisibility call)");
        }
        if (s.retryBackoffMax().compareTo(s.retryBackoff()) < 0) {
            v.add("retryBackoffMax (" + s.retryBackoffMax() + ") must not be below retryBackoff ("
                    + s.retryBackoff() + ")");
        }
        if (s.signatureClockSkew().isNegative() || s.signatureClockSkew().compareTo(MAX_CLOCK_SKEW) > 0) {
            v.add("signatureClockSkew (" + s.signatureClockSkew() + ") must be between 0 and 1 hour");
        }
        if (!s.oldestMessageAgeAlarmThreshold().isPositive()) {
            v.add("oldestMessageAgeAlarmThreshold must be positive");
        }
        alarms(s, v);
        tracing(s, v);
        signingKeys(s, v);
        payloadStore(s, v);
        for (String key : s.environment().keySet()) {
            if (SLUICE_VARIABLES.contains(key)) {
                v.add("environment must not set " + key + ": the construct derives it from its own "
                        + "properties (set those instead)");
            }
        }
    }

    private static void alarms(ConsumerSettings s, List<String> v) {
        // NaN fails both comparisons, so it is reported too
        if (!(s.deadLetterRateAlarmPercent() > 0 && s.deadLetterRateAlarmPercent() <= 100)) {
            v.add("deadLetterRateAlarmThreshold (" + s.deadLetterRateAlarmPercent()
                    + " %) must be above 0 and at most 100 (percent of received messages)");
        }
        if (!(s.retryRateAlarmPercent() > 0 && s.retryRateAlarmPercent() <= 100)) {
            v.add("retryRateAlarmThreshold (" + s.retryRateAlarmPercent()
                    + " %) must be above 0 and at most 100 (percent of received messages)");
        }
        Duration latency = s.handlerLatencyAlarmThreshold();
        if (!latency.isPositive() || latency.compareTo(s.timeout()) >= 0) {
            v.add("handlerLatencyAlarmThreshold (" + latency + ") must be positive and below timeout ("
                    + s.timeout() + "), or the p95 alarm can never fire");
        }
        int periods = s.queueDepthGrowthAlarmPeriods();
        if (periods < MIN_GROWTH_PERIODS || periods > MAX_GROWTH_PERIODS) {
            v.add("queueDepthGrowthAlarmPeriods (" + periods + ") must be between " + MIN_GROWTH_PERIODS + " and "
                    + MAX_GROWTH_PERIODS + " five-minute periods (CloudWatch evaluates at most one day)");
        }
    }

    private static void tracing(ConsumerSettings s, List<String> v) {
        String arn = s.adotLayerArn();
        if (s.tracing() == ConsumerTracing.ADOT && arn == null) {
            v.add("adotLayerArn is required when tracing is ADOT: the ARN of the ADOT Java Lambda layer "
                    + "(arm64) in the stack's region");
        }
        if (s.tracing() != ConsumerTracing.ADOT && arn != null) {
            v.add("adotLayerArn is only used when tracing is ADOT (tracing is " + s.tracing() + ")");
        }
        if (arn != null && !Token.isUnresolved(arn)) {
            if (!LAYER_VERSION_ARN.matcher(arn).matches()) {
                v.add("adotLayerArn '" + arn + "' must be a Lambda layer version ARN, "
                        + "arn:aws:lambda:<region>:<account>:layer:<name>:<version>");
            } else if (X86_LAYER.matcher(arn).find()) {
                v.add("adotLayerArn '" + arn + "' names an x86_64 layer, but the function runs on arm64");
            }
        }
    }

    private static void signingKeys(ConsumerSettings s, List<String> v) {
        if (s.signingKeysSecret() != null && s.environment().containsKey(ConsumerSettings.SIGNING_KEYS_VARIABLE)) {
            v.add("environment must not set " + ConsumerSettings.SIGNING_KEYS_VARIABLE + " when signingKeysSecret is "
                    + "set: the construct sets it to the secret's ARN and grants the function read access; "
                    + "remove one of the two");
        }
    }

    private static void payloadStore(ConsumerSettings s, List<String> v) {
        for (String key : List.of(ConsumerSettings.PAYLOAD_STORE_VARIABLE, ConsumerSettings.PAYLOAD_DELETE_VARIABLE)) {
            if (s.environment().containsKey(key)) {
                v.add("environment must not set " + key + ": use payloadStore(true) or payloadBucket(...), which "
                        + "also grant the function access to the bucket, and deletePayloadsAfterSuccess(...)");
            }
        }
        if (s.payloadStoreExplicitlyOff() && s.payloadBucket() != null) {
            v.add("payloadBucket is set but payloadStore is false: drop payloadStore(false) to use the bucket");
        }
        if (!s.payloadStore()) {
            if (s.payloadRetentionSet()) {
                v.add("payloadRetention is only used with a payload store: set payloadStore(true) or payloadBucket(...)");
            }
            if (s.deletePayloadsSet()) {
                v.add("deletePayloadsAfterSuccess is only used with a payload store: set payloadStore(true) or "
                        + "payloadBucket(...)");
            }
            return;
        }
        Duration retention = s.payloadRetention();
        if (s.payloadRetentionSet() && s.payloadBucket() != null) {
            v.add("payloadRetention only sets the lifecycle rule of the bucket the construct creates; with "
                    + "payloadBucket, expire objects with the bucket's own lifecycle rules");
        }
        if (!retention.equals(Duration.ofDays(retention.toDays())) || retention.toDays() < 1) {
            v.add("payloadRetention (" + retention + ") must be a whole number of days (S3 lifecycle rules "
                    + "expire objects in days)");
        }
        Duration minRetention = s.messageRetention().plus(DLQ_RETENTION);
        if (retention.compareTo(minRetention) < 0) {
            v.add("payloadRetention (" + retention + ") must be at least messageRetention (" + s.messageRetention()
                    + ") plus the DLQ retention (" + DLQ_RETENTION + ") = " + minRetention + ": a payload is stored "
                    + "when its message is sent, and a dead letter pointing at an expired payload cannot be redriven");
        }
    }

    private static void consistency(ConsumerSettings s, List<String> v) {
        Duration minVisibility = s.timeout().multipliedBy(VISIBILITY_TIMEOUT_FACTOR);
        if (s.visibilityTimeout().compareTo(minVisibility) < 0) {
            v.add("visibilityTimeout (" + s.visibilityTimeout() + ") must be at least "
                    + VISIBILITY_TIMEOUT_FACTOR + " x timeout (" + s.timeout() + ") = " + minVisibility
                    + ", or a message still being processed becomes visible and runs twice");
        }
        if (s.maxReceiveCount() < s.maxRetryAttempts()) {
            v.add("maxReceiveCount (" + s.maxReceiveCount() + ") must not be below maxRetryAttempts ("
                    + s.maxRetryAttempts() + "), or SQS dead-letters messages before Sluice has used "
                    + "its retries");
        }
        Duration minTtl = DLQ_RETENTION.plus(s.redriveWindow());
        if (s.idempotencyTtl().compareTo(minTtl) < 0) {
            v.add("idempotencyTtl (" + s.idempotencyTtl() + ") must be at least the DLQ retention ("
                    + DLQ_RETENTION + ") plus redriveWindow (" + s.redriveWindow() + ") = " + minTtl
                    + ", or a redriven message that had already succeeded is applied twice");
        }
        if (s.signatureMaxAge().compareTo(minTtl) < 0) {
            v.add("signatureMaxAge (" + s.signatureMaxAge() + ") must be at least the DLQ retention ("
                    + DLQ_RETENTION + ") plus redriveWindow (" + s.redriveWindow() + ") = " + minTtl
                    + ", or a message redriven at the end of the window is refused as stale");
        }
        Duration replayLife = s.signatureMaxAge().plus(s.signatureClockSkew());
        if (replayLife.compareTo(s.idempotencyTtl()) > 0) {
            v.add("signatureMaxAge (" + s.signatureMaxAge() + ") plus signatureClockSkew ("
                    + s.signatureClockSkew() + ") = " + replayLife + " must be at most idempotencyTtl ("
                    + s.idempotencyTtl() + "), or a replay accepted after its idempotency record expired "
                    + "is applied twice");
        }
        boolean noWindow = s.maxBatchingWindow() == null || s.maxBatchingWindow().isZero();
        if (s.batchSize() > 10 && noWindow && !s.fifo()) {
            v.add("batchSize (" + s.batchSize() + ") above 10 requires maxBatchingWindow");
        }
        if (s.fifo() && s.batchSize() > 10) {
            v.add("batchSize (" + s.batchSize() + ") must be at most 10 for a FIFO queue (fifo = true)");
        }
        if (s.fifo() && !noWindow) {
            v.add("maxBatchingWindow is not supported for a FIFO queue (fifo = true)");
        }
    }
}
