package dev.sluice.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.secretsmanager.Secret;

/**
 * Inconsistent settings fail {@code build()} (and so {@code cdk synth}) with a message naming the
 * property, before any resource is added to the stack.
 */
class QueueConsumerValidationTest {

    private static final String SIGNING_SECRET_ARN =
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sluice/signing-keys-AbCdEf";

    private Stack stack;

    @BeforeEach
    void newStack() {
        stack = new Stack(new App(), "Stack");
    }

    private QueueConsumer.Builder consumer() {
        return QueueConsumer.builder(stack, "Orders").queueName("orders").code(CdkTestSupport.lambdaCode())
                .handler("com.example.Fn::handleRequest");
    }

    @Test
    void visibilityTimeout_shorterThanSixFunctionTimeouts_fails() {
        // GIVEN a 60 s function with a 5-minute visibility timeout (6 x 60 s = 6 minutes needed)
        QueueConsumer.Builder builder = consumer().timeout(Duration.seconds(60)).visibilityTimeout(Duration.minutes(5));

        // WHEN / THEN
        assertThatThrownBy(builder::build).isInstanceOf(QueueConsumerValidationException.class)
                .hasMessageContaining("visibilityTimeout (PT5M) must be at least 6 x timeout (PT1M) = PT6M");
        assertThat(stack.getNode().getChildren()).isEmpty();
    }

    @Test
    void visibilityTimeout_ofExactlySixFunctionTimeouts_isAccepted() {
        consumer().timeout(Duration.seconds(60)).visibilityTimeout(Duration.minutes(6)).build();

        Template.fromStack(stack).hasResourceProperties("AWS::SQS::Queue",
                Map.of("QueueName", "orders", "VisibilityTimeout", 360));
    }

    @Test
    void maxReceiveCount_belowMaxRetryAttempts_fails() {
        QueueConsumer.Builder builder = consumer().maxRetryAttempts(5).maxReceiveCount(4);

        assertThatThrownBy(builder::build)
                .hasMessageContaining("maxReceiveCount (4) must not be below maxRetryAttempts (5)");
    }

    @Test
    void idempotencyTtl_shorterThanDlqRetentionPlusRedriveWindow_fails() {
        // GIVEN records kept 20 days while a dead letter may come back after 14 + 7 days
        QueueConsumer.Builder builder = consumer().idempotencyTtl(Duration.days(20)).redriveWindow(Duration.days(7));

        assertThatThrownBy(builder::build)
                .hasMessageContaining("idempotencyTtl (PT480H) must be at least the DLQ retention (PT336H) "
                        + "plus redriveWindow (PT168H) = PT504H");
    }

    @Test
    void idempotencyTtl_ofTheOldDefault_isTooShortForTheDefaultSignatureMaxAgeAndSkew() {
        // GIVEN records kept 21 days (the earlier default): a replay signed 21 days ago may arrive 5 minutes "early"
        QueueConsumer.Builder builder = consumer().idempotencyTtl(Duration.days(21));

        assertThatThrownBy(builder::build).isInstanceOf(QueueConsumerValidationException.class)
                .hasMessageContaining("signatureMaxAge (PT504H) plus signatureClockSkew (PT5M) = PT504H5M "
                        + "must be at most idempotencyTtl (PT504H), or a replay accepted after its idempotency "
                        + "record expired is applied twice");
    }

    @Test
    void signatureMaxAge_shorterThanDlqRetentionPlusRedriveWindow_fails() {
        // GIVEN signed messages accepted for 20 days while a dead letter may come back after 14 + 7 days
        QueueConsumer.Builder builder = consumer().signatureMaxAge(Duration.days(20)).redriveWindow(Duration.days(7));

        QueueConsumerValidationException e = catchThrowableOfType(QueueConsumerValidationException.class, builder::build);

        assertThat(e.violations()).containsExactly("signatureMaxAge (PT480H) must be at least the DLQ retention "
                + "(PT336H) plus redriveWindow (PT168H) = PT504H, or a message redriven at the end of the window "
                + "is refused as stale");
    }

    @Test
    void signatureMaxAgePlusClockSkew_longerThanIdempotencyTtl_fails() {
        // GIVEN a 30-day TTL and a max age of 30 days less 4 minutes, with 5 minutes of skew
        QueueConsumer.Builder builder = consumer().idempotencyTtl(Duration.days(30))
                .signatureMaxAge(Duration.minutes(30 * 1440 - 4)).signatureClockSkew(Duration.minutes(5));

        QueueConsumerValidationException e = catchThrowableOfType(QueueConsumerValidationException.class, builder::build);

        assertThat(e.violations()).containsExactly("signatureMaxAge (PT719H56M) plus signatureClockSkew (PT5M) = "
                + "PT720H1M must be at most idempotencyTtl (PT720H), or a replay accepted after its idempotency "
                + "record expired is applied twice");
    }

    @Test
    void signatureClockSkew_aboveOneHour_fails() {
        QueueConsumer.Builder builder = consumer().signatureClockSkew(Duration.minutes(61));

        assertThatThrownBy(builder::build)
                .hasMessageContaining("signatureClockSkew (PT1H1M) must be between 0 and 1 hour");
    }

    @Test
    void signatureMaxAge_ofExactlyDlqRetentionPlusRedriveWindow_isAccepted() {
        // GIVEN the lower bound: 14 + 3 days, with the default TTL (14 + 3 + 1 days)
        consumer().redriveWindow(Duration.days(3)).signatureMaxAge(Duration.days(17)).build();

        Template.fromStack(stack).hasResourceProperties("AWS::Lambda::Function", Map.of("Environment",
                Map.of("Variables", Map.of("SLUICE_SIGNATURE_MAX_AGE_SECONDS", Integer.toString(17 * 86_400),
                        "IDEMPOTENCY_TTL_SECONDS", Integer.toString(18 * 86_400)))));
    }

    @Test
    void signatureMaxAge_ofExactlyIdempotencyTtlLessClockSkew_isAccepted() {
        // GIVEN the upper bound: max age + skew = TTL
        consumer().idempotencyTtl(Duration.days(30)).signatureClockSkew(Duration.minutes(10))
                .signatureMaxAge(Duration.minutes(30 * 1440 - 10)).build();

        Template.fromStack(stack).hasResourceProperties("AWS::Lambda::Function", Map.of("Environment",
                Map.of("Variables", Map.of("SLUICE_SIGNATURE_MAX_AGE_SECONDS", Integer.toString(30 * 86_400 - 600),
                        "SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS", "600",
                        "IDEMPOTENCY_TTL_SECONDS", Integer.toString(30 * 86_400)))));
    }

    @Test
    void signatureVariables_cannotBeOverriddenThroughEnvironment() {
        QueueConsumer.Builder builder = consumer().environment(Map.of("SLUICE_SIGNATURE_MAX_AGE_SECONDS", "60",
                "SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS", "0"));

        assertThatThrownBy(builder::build)
                .hasMessageContaining("environment must not set SLUICE_SIGNATURE_MAX_AGE_SECONDS")
                .hasMessageContaining("environment must not set SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS");
    }

    @Test
    void batchSizeAbove10_withoutBatchingWindow_fails() {
        QueueConsumer.Builder builder = consumer().batchSize(50);

        assertThatThrownBy(builder::build).hasMessageContaining("batchSize (50) above 10 requires maxBatchingWindow");
    }

    @Test
    void batchSizeAbove10_withBatchingWindow_isAccepted() {
        consumer().batchSize(50).maxBatchingWindow(Duration.seconds(2)).build();

        Template.fromStack(stack).hasResourceProperties("AWS::Lambda::EventSourceMapping",
                Map.of("BatchSize", 50, "MaximumBatchingWindowInSeconds", 2));
    }

    @Test
    void fifo_withBatchSizeAbove10_fails() {
        QueueConsumer.Builder builder = consumer().fifo(true).batchSize(20);

        assertThatThrownBy(builder::build)
                .hasMessageContaining("batchSize (20) must be at most 10 for a FIFO queue (fifo = true)");
    }

    @Test
    void fifo_withBatchingWindow_fails() {
        QueueConsumer.Builder builder = consumer().fifo(true).maxBatchingWindow(Duration.seconds(1));

        assertThatThrownBy(builder::build)
                .hasMessageContaining("maxBatchingWindow is not supported for a FIFO queue");
    }

    @Test
    void everyViolation_isReportedAtOnce() {
        // GIVEN three independent mistakes
        QueueConsumer.Builder builder = consumer().timeout(Duration.minutes(2)).visibilityTimeout(Duration.minutes(2))
                .maxRetryAttempts(4).maxReceiveCount(2).batchSize(11);

        // WHEN
        QueueConsumerValidationException e = catchThrowableOfType(QueueConsumerValidationException.class, builder::build);

        // THEN the user fixes them in one go
        assertThat(e.violations()).hasSize(3);
        assertThat(e.getMessage()).startsWith("Invalid QueueConsumer 'Stack/Orders':")
                .contains("visibilityTimeout", "maxReceiveCount", "batchSize");
    }

    @Test
    void missingCodeAndHandler_fail() {
        QueueConsumer.Builder builder = QueueConsumer.builder(stack, "Orders");

        assertThatThrownBy(builder::build).hasMessageContaining("code is required")
                .hasMessageContaining("handler is required");
    }

    @Test
    void sluiceVariables_cannotBeOverriddenThroughEnvironment() {
        QueueConsumer.Builder builder = consumer().environment(Map.of("IDEMPOTENCY_TABLE", "other"));

        assertThatThrownBy(builder::build).hasMessageContaining("environment must not set IDEMPOTENCY_TABLE");
    }

    @Test
    void fifoQueueName_withoutFifo_fails() {
        QueueConsumer.Builder builder = consumer().queueName("orders.fifo");

        assertThatThrownBy(builder::build).hasMessageContaining("ends with .fifo but fifo is false");
    }

    @Test
    void queueName_tooLongForItsDlqSuffix_fails() {
        QueueConsumer.Builder builder = consumer().queueName("q".repeat(72));

        assertThatThrownBy(builder::build).hasMessageContaining("queueName").hasMessageContaining("1-71");
    }

    @Test
    void serviceLimits_areCheckedByName() {
        QueueConsumer.Builder builder = consumer().memorySize(64).timeout(Duration.minutes(16)).maxConcurrency(1)
                .retryBackoff(Duration.seconds(10)).retryBackoffMax(Duration.seconds(5));

        assertThatThrownBy(builder::build).hasMessageContaining("memorySize (64 MB)")
                .hasMessageContaining("timeout (PT16M)")
                .hasMessageContaining("maxConcurrency (1)")
                .hasMessageContaining("retryBackoffMax (PT5S) must not be below retryBackoff (PT10S)");
    }
    @Test
    void rateAlarmThresholds_outsideZeroToHundredPercent_fail() {
        assertThatThrownBy(consumer().deadLetterRateAlarmThreshold(0).retryRateAlarmThreshold(150)::build)
                .isInstanceOf(QueueConsumerValidationException.class)
                .hasMessageContaining("deadLetterRateAlarmThreshold (0.0 %) must be above 0 and at most 100")
                .hasMessageContaining("retryRateAlarmThreshold (150.0 %) must be above 0 and at most 100");
        assertThatThrownBy(consumer().deadLetterRateAlarmThreshold(Double.NaN)::build)
                .hasMessageContaining("deadLetterRateAlarmThreshold (NaN %)");
        assertThatThrownBy(consumer().retryRateAlarmThreshold(-1)::build)
                .hasMessageContaining("retryRateAlarmThreshold (-1.0 %)");
        assertThat(stack.getNode().getChildren()).isEmpty();
    }

    @Test
    void rateAlarmThresholds_ofExactlyHundredPercent_areAccepted() {
        consumer().deadLetterRateAlarmThreshold(100).retryRateAlarmThreshold(0.5).build();

        Template.fromStack(stack).hasResourceProperties("AWS::CloudWatch::Alarm",
                Map.of("AlarmName", "orders-dead-letter-rate", "Threshold", 100));
    }

    @Test
    void handlerLatencyAlarmThreshold_notBelowTheTimeout_orNotPositive_fails() {
        assertThatThrownBy(consumer().timeout(Duration.seconds(2)).handlerLatencyAlarmThreshold(Duration.seconds(2))::build)
                .hasMessageContaining("handlerLatencyAlarmThreshold (PT2S) must be positive and below timeout (PT2S)");
        assertThatThrownBy(consumer().handlerLatencyAlarmThreshold(Duration.millis(0))::build)
                .hasMessageContaining("handlerLatencyAlarmThreshold (PT0S) must be positive");
    }

    @Test
    void queueDepthGrowthAlarmPeriods_outsideTwoTo288_fail() {
        assertThatThrownBy(consumer().queueDepthGrowthAlarmPeriods(1)::build)
                .hasMessageContaining("queueDepthGrowthAlarmPeriods (1) must be between 2 and 288");
        assertThatThrownBy(consumer().queueDepthGrowthAlarmPeriods(289)::build)
                .hasMessageContaining("queueDepthGrowthAlarmPeriods (289) must be between 2 and 288");
    }

    @Test
    void adotTracing_needsALayerArn_andTheArnNeedsAdot() {
        assertThatThrownBy(consumer().tracing(ConsumerTracing.ADOT)::build)
                .hasMessageContaining("adotLayerArn is required when tracing is ADOT");
        assertThatThrownBy(consumer().tracing(ConsumerTracing.XRAY)
                .adotLayerArn("arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-java-wrapper-arm64-ver-1-32-0:5")::build)
                .hasMessageContaining("adotLayerArn is only used when tracing is ADOT (tracing is XRAY)");
        assertThatThrownBy(consumer().tracing(ConsumerTracing.ADOT).adotLayerArn("aws-otel-java-wrapper")::build)
                .hasMessageContaining("adotLayerArn 'aws-otel-java-wrapper' must be a Lambda layer version ARN");
        assertThatThrownBy(consumer().tracing(ConsumerTracing.ADOT)
                .adotLayerArn("arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-java-wrapper-amd64-ver-1-32-0:5")::build)
                .hasMessageContaining("names an x86_64 layer, but the function runs on arm64");
        assertThat(stack.getNode().getChildren()).isEmpty();
    }

    @Test
    void signingKeysSecret_andSigningKeysInEnvironment_fail_namingBoth() {
        // GIVEN the keys' secret and, by mistake, the variable it sets
        QueueConsumer.Builder builder = consumer()
                .signingKeysSecret(Secret.fromSecretCompleteArn(stack, "Keys", SIGNING_SECRET_ARN))
                .environment(Map.of("SLUICE_SIGNING_KEYS", "k1:c2VjcmV0"));

        assertThatThrownBy(builder::build).isInstanceOf(QueueConsumerValidationException.class)
                .hasMessageContaining("environment must not set SLUICE_SIGNING_KEYS when signingKeysSecret is set");
    }

    @Test
    void signingKeysInEnvironment_withoutASecret_areKeptAsGiven() {
        consumer().environment(Map.of("SLUICE_SIGNING_KEYS", "k1:c2VjcmV0")).build();

        Template.fromStack(stack).hasResourceProperties("AWS::Lambda::Function", Map.of("Environment",
                Map.of("Variables", Match.objectLike(Map.of("SLUICE_SIGNING_KEYS", "k1:c2VjcmV0")))));
    }

    @Test
    void payloadRetention_shorterThanQueueAndDlqRetention_fails_becauseTheDeadLetterCouldNotBeRedriven() {
        // GIVEN payloads kept 17 days, while a message may wait 4 days in the queue and 14 in the DLQ
        QueueConsumer.Builder builder = consumer().payloadStore(true).payloadRetention(Duration.days(17));

        assertThatThrownBy(builder::build).isInstanceOf(QueueConsumerValidationException.class)
                .hasMessageContaining("payloadRetention (PT408H) must be at least messageRetention (PT96H) plus the "
                        + "DLQ retention (PT336H) = PT432H")
                .hasMessageContaining("a dead letter pointing at an expired payload cannot be redriven");
        assertThat(stack.getNode().getChildren()).isEmpty();
    }

    @Test
    void payloadRetention_ofExactlyQueueAndDlqRetention_isAccepted() {
        consumer().payloadStore(true).payloadRetention(Duration.days(18)).build();

        Template.fromStack(stack).hasResourceProperties("AWS::S3::Bucket", Map.of("LifecycleConfiguration",
                Map.of("Rules", List.of(Match.objectLike(Map.of("ExpirationInDays", 18, "Status", "Enabled"))))));
    }

    @Test
    void payloadRetention_defaultGrowsWithMessageRetention() {
        // GIVEN a queue that keeps messages 14 days: 14 + 14 (DLQ) + 7 (redrive window)
        consumer().messageRetention(Duration.days(14)).payloadStore(true).build();

        Template.fromStack(stack).hasResourceProperties("AWS::S3::Bucket", Map.of("LifecycleConfiguration",
                Map.of("Rules", List.of(Match.objectLike(Map.of("ExpirationInDays", 35))))));
    }

    @Test
    void payloadRetention_inPartialDays_fails() {
        QueueConsumer.Builder builder = consumer().payloadStore(true).payloadRetention(Duration.hours(500));

        assertThatThrownBy(builder::build)
                .hasMessageContaining("payloadRetention (PT500H) must be a whole number of days");
    }

    @Test
    void payloadSettings_withoutAPayloadStore_fail() {
        QueueConsumer.Builder builder = consumer().payloadRetention(Duration.days(30)).deletePayloadsAfterSuccess(false);

        assertThatThrownBy(builder::build)
                .hasMessageContaining("payloadRetention is only used with a payload store")
                .hasMessageContaining("deletePayloadsAfterSuccess is only used with a payload store");
    }

    @Test
    void payloadBucket_withPayloadStoreOff_orWithPayloadRetention_fails() {
        IBucket bucket = Bucket.fromBucketName(stack, "Payloads", "acme-payloads");

        assertThatThrownBy(consumer().payloadBucket(bucket).payloadStore(false)::build)
                .hasMessageContaining("payloadBucket is set but payloadStore is false");
        assertThatThrownBy(consumer().payloadBucket(bucket).payloadRetention(Duration.days(30))::build)
                .hasMessageContaining("payloadRetention only sets the lifecycle rule of the bucket the construct "
                        + "creates");
    }

    @Test
    void payloadVariables_cannotBeSetThroughEnvironment() {
        QueueConsumer.Builder builder = consumer().environment(Map.of("SLUICE_PAYLOAD_STORE", "s3://elsewhere/",
                "SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS", "false"));

        assertThatThrownBy(builder::build)
                .hasMessageContaining("environment must not set SLUICE_PAYLOAD_STORE: use payloadStore(true) or "
                        + "payloadBucket(...), which also grant the function access to the bucket")
                .hasMessageContaining("environment must not set SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS");
    }
}
