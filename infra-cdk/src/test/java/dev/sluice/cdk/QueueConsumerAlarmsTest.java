package dev.sluice.cdk;

import static dev.sluice.cdk.CdkTestSupport.lambdaCode;
import static dev.sluice.cdk.CdkTestSupport.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cdk.CdkTestSupport.Res;
import dev.sluice.cdk.CdkTestSupport.Tpl;
import dev.sluice.cdk.internal.ConsumerMonitoring;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.FailureKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The operator alarms of {@link QueueConsumer} (dead-letter rate, retry rate, handler p95, queue
 * depth growing, next to function errors and oldest message age) and the function's tracing, read
 * from synthesized templates: one consumer with defaults, one with every threshold and X-Ray, one
 * with ADOT.
 */
class QueueConsumerAlarmsTest {

    private static final String ADOT_ARN =
            "arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-java-wrapper-arm64-ver-1-32-0:5";

    private static Tpl defaults;
    private static Tpl tuned;
    private static Tpl adot;

    @BeforeAll
    static void synthesizeOnce() {
        // GIVEN three consumers: defaults, every alarm threshold changed with X-Ray, and ADOT
        App app = CdkTestSupport.validatingApp();
        QueueConsumer.builder(new Stack(app, "Defaults"), "Orders")
                .queueName("orders")
                .code(lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .build();
        QueueConsumer.builder(new Stack(app, "Tuned"), "Payments")
                .queueName("payments")
                .code(lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .deadLetterRateAlarmThreshold(1.5)
                .retryRateAlarmThreshold(25)
                .handlerLatencyAlarmThreshold(Duration.millis(2500))
                .queueDepthGrowthAlarmPeriods(6)
                .tracing(ConsumerTracing.XRAY)
                .build();
        QueueConsumer.builder(new Stack(app, "Adot"), "Traced")
                .queueName("traced")
                .code(lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .tracing(ConsumerTracing.ADOT)
                .adotLayerArn(ADOT_ARN)
                .build();

        // WHEN synthesized
        CloudAssembly assembly = app.synth();
        defaults = template(assembly, "Defaults");
        tuned = template(assembly, "Tuned");
        adot = template(assembly, "Adot");
    }

    @Test
    void metricNames_andFailureKinds_areTheOnesSluiceEmits() {
        assertThat(ConsumerMonitoring.RECEIVED).isEqualTo(SluiceMetrics.RECEIVED);
        assertThat(ConsumerMonitoring.RETRY_ATTEMPTS).isEqualTo(SluiceMetrics.RETRY_ATTEMPTS);
        assertThat(ConsumerMonitoring.DEAD_LETTERED).isEqualTo(SluiceMetrics.DEAD_LETTERED);
        assertThat(ConsumerMonitoring.HANDLER_DURATION).isEqualTo(SluiceMetrics.HANDLER_DURATION);
        assertThat(ConsumerMonitoring.DIM_QUEUE).isEqualTo(SluiceMetrics.DIM_QUEUE);
        assertThat(ConsumerMonitoring.DIM_FAILURE_KIND).isEqualTo(SluiceMetrics.DIM_FAILURE_KIND);
        // a new failure kind must be added to the dead-letter rate, or its dead letters go uncounted
        assertThat(ConsumerMonitoring.FAILURE_KINDS)
                .containsExactlyElementsOf(Arrays.stream(FailureKind.values()).map(Enum::name).toList());
    }

    @Test
    void deadLetterRate_isEveryKindsDeadLettersOverReceived_inPercent_guardedAgainstZero() {
        Res alarm = defaults.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-dead-letter-rate");

        assertWiring(alarm, defaults, 5, 1);
        Map<String, JsonNode> queries = queries(alarm);
        JsonNode expression = returned(alarm);
        assertThat(expression.path("Expression").asText()).isEqualTo("IF(received > 0, 100 * SUM([dl_poison, "
                + "dl_permanent, dl_exhausted, dl_signature_invalid, dl_idempotency_mismatch, dl_timeout]) / received, 0)");
        assertSluiceMetric(queries.get("received"), "queue_messages_received_total", "Sum", Map.of("queue", "orders"));
        for (FailureKind kind : FailureKind.values()) {
            assertSluiceMetric(queries.get("dl_" + kind.name().toLowerCase(Locale.ROOT)),
                    "queue_messages_dead_lettered_total", "Sum", Map.of("queue", "orders", "failure_kind", kind.name()));
        }
        assertThat(queries).hasSize(2 + FailureKind.values().length);

        Res custom = tuned.resource("AWS::CloudWatch::Alarm", "/AlarmName", "payments-dead-letter-rate");
        assertThat(custom.prop("/Threshold").asDouble()).isEqualTo(1.5);
    }

    @Test
    void retryRate_isRetriesOverReceived_inPercent_guardedAgainstZero() {
        Res alarm = defaults.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-retry-rate");

        assertWiring(alarm, defaults, 10, 1);
        Map<String, JsonNode> queries = queries(alarm);
        assertThat(returned(alarm).path("Expression").asText())
                .isEqualTo("IF(received > 0, 100 * FILL(retries, 0) / received, 0)");
        assertSluiceMetric(queries.get("received"), "queue_messages_received_total", "Sum", Map.of("queue", "orders"));
        assertSluiceMetric(queries.get("retries"), "queue_retry_attempts_total", "Sum", Map.of("queue", "orders"));
        assertThat(queries).hasSize(3);

        assertThat(tuned.resource("AWS::CloudWatch::Alarm", "/AlarmName", "payments-retry-rate")
                .prop("/Threshold").asDouble()).isEqualTo(25);
    }

    @Test
    void handlerLatency_isTheP95OfTheHandlerDuration_inSeconds() {
        Res alarm = defaults.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-handler-p95");

        // EmfMetricsSink writes queue_handler_duration_seconds in seconds: 500 ms is 0.5
        assertWiring(alarm, defaults, 0.5, 1);
        assertThat(alarm.prop("/Namespace").asText()).isEqualTo("Sluice");
        assertThat(alarm.prop("/MetricName").asText()).isEqualTo("queue_handler_duration_seconds");
        assertThat(alarm.prop("/ExtendedStatistic").asText()).isEqualTo("p95");
        assertThat(alarm.prop("/Statistic").isMissingNode()).isTrue();
        assertThat(alarm.prop("/Unit").asText()).isEqualTo("Seconds");
        assertThat(alarm.prop("/Period").asInt()).isEqualTo(300);
        assertThat(alarm.prop("/Dimensions").toString()).isEqualTo("[{\"Name\":\"queue\",\"Value\":\"orders\"}]");

        assertThat(tuned.resource("AWS::CloudWatch::Alarm", "/AlarmName", "payments-handler-p95")
                .prop("/Threshold").asDouble()).isEqualTo(2.5);
    }

    @Test
    void queueDepthGrowing_isARiseOfTheVisibleMessagesInConsecutivePeriods() {
        Res queue = defaults.resource("AWS::SQS::Queue", "/QueueName", "orders");
        Res alarm = defaults.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-queue-depth-growing");

        // THEN the depth rose in each of 3 consecutive 5-minute periods (all 3 of 3 breach)
        assertWiring(alarm, defaults, 0, 3);
        assertThat(alarm.prop("/DatapointsToAlarm").asInt()).isEqualTo(3);
        assertThat(returned(alarm).path("Expression").asText()).isEqualTo("DIFF(depth)");
        JsonNode depth = queries(alarm).get("depth").path("MetricStat");
        assertThat(depth.at("/Metric/Namespace").asText()).isEqualTo("AWS/SQS");
        assertThat(depth.at("/Metric/MetricName").asText()).isEqualTo("ApproximateNumberOfMessagesVisible");
        assertThat(depth.at("/Metric/Dimensions/0/Value")).isEqualTo(queue.getAtt("QueueName"));
        assertThat(depth.path("Stat").asText()).isEqualTo("Maximum");
        assertThat(depth.path("Period").asInt()).isEqualTo(300);

        Res custom = tuned.resource("AWS::CloudWatch::Alarm", "/AlarmName", "payments-queue-depth-growing");
        assertThat(custom.prop("/EvaluationPeriods").asInt()).isEqualTo(6);
        assertThat(custom.prop("/DatapointsToAlarm").asInt()).isEqualTo(6);
    }

    @Test
    void functionErrors_andOldestMessageAge_stay() {
        Res errors = defaults.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-function-errors");
        assertWiring(errors, defaults, 0, 1);
        assertThat(errors.prop("/MetricName").asText()).isEqualTo("Errors");
        assertThat(errors.prop("/Statistic").asText()).isEqualTo("Sum");
        assertThat(errors.prop("/Period").asInt()).isEqualTo(300);

        Res age = defaults.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-oldest-message-age");
        assertWiring(age, defaults, 900, 1);
        assertThat(age.prop("/MetricName").asText()).isEqualTo("ApproximateAgeOfOldestMessage");
        assertThat(age.prop("/Statistic").asText()).isEqualTo("Maximum");
        assertThat(age.prop("/Period").asInt()).isEqualTo(60);

        assertThat(defaults.resources("AWS::CloudWatch::Alarm")).extracting(a -> a.prop("/AlarmName").asText())
                .containsExactlyInAnyOrder("orders-dlq-not-empty", "orders-oldest-message-age",
                        "orders-function-errors", "orders-function-throttles", "orders-dead-letter-rate",
                        "orders-retry-rate", "orders-handler-p95", "orders-queue-depth-growing");
    }

    @Test
    void dashboard_showsTheRates_theLatencyPercentiles_theDepthChange_andEveryAlarm() {
        String body = defaults.only("AWS::CloudWatch::Dashboard").prop("/DashboardBody").toString();

        assertThat(body).contains("Dead-letter and retry rate", "IF(received > 0, 100 * SUM([dl_poison",
                "100 * FILL(retries, 0) / received", "queue_retry_attempts_total", "Handler duration p50 / p95",
                "queue_handler_duration_seconds", "\\\"stat\\\":\\\"p95\\\"", "\\\"stat\\\":\\\"p50\\\"", "DIFF(depth)");
        for (Res alarm : defaults.resources("AWS::CloudWatch::Alarm")) {
            assertThat(body).contains(alarm.logicalId());
        }
    }

    @Test
    void tracing_isOffByDefault() {
        Res fn = defaults.only("AWS::Lambda::Function");
        assertThat(fn.prop("/TracingConfig").isMissingNode()).isTrue();
        assertThat(fn.prop("/Layers").isMissingNode()).isTrue();
        assertThat(fn.prop("/Environment/Variables/AWS_LAMBDA_EXEC_WRAPPER").isMissingNode()).isTrue();
        assertThat(defaults.resources("AWS::IAM::Policy").toString()).doesNotContain("xray:");
    }

    @Test
    void xray_turnsOnActiveTracing_andLetsTheRoleWriteSegments() {
        Res fn = tuned.only("AWS::Lambda::Function");

        assertThat(fn.prop("/TracingConfig/Mode").asText()).isEqualTo("Active");
        assertThat(fn.prop("/Layers").isMissingNode()).isTrue();
        assertThat(xrayStatement(tuned, fn).path("Resource").asText()).isEqualTo("*");
    }

    @Test
    void adot_addsTheLayerAndTheWrapper_withActiveTracing() {
        Res fn = adot.only("AWS::Lambda::Function");

        assertThat(fn.prop("/Layers").toString()).isEqualTo("[\"" + ADOT_ARN + "\"]");
        assertThat(fn.prop("/Environment/Variables/AWS_LAMBDA_EXEC_WRAPPER").asText()).isEqualTo("/opt/otel-handler");
        assertThat(fn.prop("/TracingConfig/Mode").asText()).isEqualTo("Active");
        assertThat(xrayStatement(adot, fn).path("Resource").asText()).isEqualTo("*");
    }

    @Test
    void adot_wrapperCanBeChosenThroughTheEnvironment() {
        Stack stack = new Stack(new App(), "Wrapper");
        QueueConsumer.builder(stack, "Traced").queueName("traced").code(lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .tracing(ConsumerTracing.ADOT).adotLayerArn(ADOT_ARN)
                .environment(Map.of("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-instrument"))
                .build();

        Template.fromStack(stack).hasResourceProperties("AWS::Lambda::Function",
                Map.of("Environment", Map.of("Variables", Match.objectLike(
                        Map.of("AWS_LAMBDA_EXEC_WRAPPER", "/opt/otel-instrument")))));
    }

    /** Threshold, comparison, evaluation periods, missing data, and both actions on the construct's topic. */
    private static void assertWiring(Res alarm, Tpl t, double threshold, int evaluationPeriods) {
        Res topic = t.only("AWS::SNS::Topic");
        assertThat(alarm.prop("/Threshold").asDouble()).isEqualTo(threshold);
        assertThat(alarm.prop("/ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
        assertThat(alarm.prop("/EvaluationPeriods").asInt()).isEqualTo(evaluationPeriods);
        assertThat(alarm.prop("/TreatMissingData").asText()).isEqualTo("notBreaching");
        assertThat(alarm.prop("/AlarmActions")).containsExactly(topic.ref());
        assertThat(alarm.prop("/OKActions")).containsExactly(topic.ref());
        assertThat(alarm.prop("/AlarmDescription").asText()).isNotBlank();
    }

    /** A metric-math alarm's queries by id. */
    private static Map<String, JsonNode> queries(Res alarm) {
        Map<String, JsonNode> byId = new HashMap<>();
        alarm.prop("/Metrics").forEach(q -> byId.put(q.path("Id").asText(), q));
        return byId;
    }

    /** The one query whose value the alarm evaluates (an expression; its metrics carry the 5-minute period). */
    private static JsonNode returned(Res alarm) {
        List<JsonNode> returned = new ArrayList<>();
        alarm.prop("/Metrics").forEach(q -> {
            if (q.path("ReturnData").asBoolean(true)) {
                returned.add(q);
            }
        });
        assertThat(returned).hasSize(1);
        assertThat(alarm.prop("/MetricName").isMissingNode()).isTrue();
        return returned.get(0);
    }

    private static void assertSluiceMetric(JsonNode query, String name, String stat, Map<String, String> dimensions) {
        assertThat(query).as("query for %s", name).isNotNull();
        assertThat(query.path("ReturnData").asBoolean()).isFalse();
        JsonNode metricStat = query.path("MetricStat");
        assertThat(metricStat.at("/Metric/Namespace").asText()).isEqualTo("Sluice");
        assertThat(metricStat.at("/Metric/MetricName").asText()).isEqualTo(name);
        assertThat(metricStat.path("Stat").asText()).isEqualTo(stat);
        assertThat(metricStat.path("Period").asInt()).isEqualTo(300);
        Map<String, String> actual = new HashMap<>();
        metricStat.at("/Metric/Dimensions").forEach(d -> actual.put(d.path("Name").asText(), d.path("Value").asText()));
        assertThat(actual).isEqualTo(dimensions);
    }

    private static JsonNode xrayStatement(Tpl t, Res fn) {
        JsonNode role = fn.prop("/Role");
        for (Res policy : t.resources("AWS::IAM::Policy")) {
            if (!policy.prop("/Roles").toString().contains(role.path("Fn::GetAtt").path(0).asText())) {
                continue;
            }
            for (JsonNode statement : policy.prop("/PolicyDocument/Statement")) {
                if (statement.path("Action").toString().contains("xray:PutTraceSegments")) {
                    assertThat(statement.path("Action").toString()).contains("xray:PutTelemetryRecords");
                    return statement;
                }
            }
        }
        throw new AssertionError("no X-Ray statement on the function's role");
    }
}
