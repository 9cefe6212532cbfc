package dev.sluice.cdk;

import static dev.sluice.cdk.CdkTestSupport.lambdaCode;
import static dev.sluice.cdk.CdkTestSupport.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cdk.CdkTestSupport.Res;
import dev.sluice.cdk.CdkTestSupport.Tpl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.logs.RetentionDays;

/**
 * What {@link QueueConsumer} deploys, read from synthesized templates: a standard consumer with
 * mostly defaults, a FIFO consumer with every setting changed, and one with a generated name.
 */
class QueueConsumerTest {

    private static Tpl standard;
    private static Tpl fifo;
    private static Tpl generated;

    @BeforeAll
    static void synthesizeOnce() {
        // GIVEN three consumers in one app (synthesized once: jsii round trips are slow)
        App app = CdkTestSupport.validatingApp();
        QueueConsumer.builder(new Stack(app, "Standard"), "Orders")
                .queueName("orders")
                .code(lambdaCode())
                .handler("com.example.OrdersFunction::handleRequest")
                .batchSize(100)
                .maxBatchingWindow(Duration.seconds(5))
                .maxConcurrency(20)
                .build();
        QueueConsumer.builder(new Stack(app, "Fifo"), "Payments")
                .queueName("payments")
                .fifo(true)
                .code(lambdaCode())
                .handler("com.example.PaymentsFunction::handleRequest")
                .batchSize(5)
                .memorySize(2048)
                .timeout(Duration.seconds(60))
                .visibilityTimeout(Duration.minutes(10))
                .maxRetryAttempts(5)
                .maxReceiveCount(8)
                .retryBackoff(Duration.seconds(2))
                .retryBackoffMax(Duration.minutes(10))
                .idempotencyTtl(Duration.days(30))
                .signatureMaxAge(Duration.days(25))
                .signatureClockSkew(Duration.minutes(10))
                .oldestMessageAgeAlarmThreshold(Duration.minutes(5))
                .logRetention(RetentionDays.ONE_WEEK)
                .environment(Map.of("PAYMENTS_API_URL", "https://payments.example.com"))
                .build();
        QueueConsumer.builder(new Stack(app, "Generated"), "Consumer")
                .code(lambdaCode())
                .handler("com.example.Fn::handleRequest")
                .build();

        // WHEN the app is synthesized, as `cdk synth` does
        CloudAssembly assembly = app.synth();
        standard = template(assembly, "Standard");
        fifo = template(assembly, "Fifo");
        generated = template(assembly, "Generated");
    }

    @Test
    void queue_isEncrypted_andHandsMessagesToTheDlqAfterMaxReceiveCount() {
        // THEN the source queue uses SSE-SQS and redrives to the DLQ after maxRetryAttempts + 2 receives
        Res queue = standard.resource("AWS::SQS::Queue", "/QueueName", "orders");
        Res dlq = standard.resource("AWS::SQS::Queue", "/QueueName", "orders-dlq");
        assertThat(queue.prop("/SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(queue.prop("/RedrivePolicy/deadLetterTargetArn")).isEqualTo(dlq.getAtt("Arn"));
        assertThat(queue.prop("/RedrivePolicy/maxReceiveCount").asInt()).isEqualTo(5);
        assertThat(fifo.resource("AWS::SQS::Queue", "/QueueName", "payments.fifo")
                .prop("/RedrivePolicy/maxReceiveCount").asInt()).isEqualTo(8);
    }

    @Test
    void deadLetterQueue_keeps14Days_andAcceptsConsoleRedriveOnlyFromItsSourceQueue() {
        Res dlq = standard.resource("AWS::SQS::Queue", "/QueueName", "orders-dlq");

        assertThat(dlq.prop("/MessageRetentionPeriod").asInt()).isEqualTo(14 * 24 * 3600);
        assertThat(dlq.prop("/SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(dlq.prop("/RedriveAllowPolicy/redrivePermission").asText()).isEqualTo("byQueue");
        JsonNode sourceArns = dlq.prop("/RedriveAllowPolicy/sourceQueueArns");
        assertThat(sourceArns).hasSize(1);
        // arn:${Partition}:sqs:${Region}:${AccountId}:orders, built from the name to avoid a cycle
        JsonNode parts = sourceArns.get(0).at("/Fn::Join/1");
        assertThat(parts.toString()).contains("\":sqs:\"", "AWS::Region", "AWS::AccountId");
        assertThat(parts.get(parts.size() - 1).asText()).isEqualTo(":orders");
    }

    @Test
    void bothQueues_denyEveryRequestWithoutTls() {
        for (Tpl t : List.of(standard, fifo)) {
            List<Res> policies = t.resources("AWS::SQS::QueuePolicy");
            Set<String> protectedQueues = new TreeSet<>();
            for (Res policy : policies) {
                JsonNode statement = policy.prop("/PolicyDocument/Statement/0");
                assertThat(statement.path("Effect").asText()).isEqualTo("Deny");
                assertThat(statement.at("/Condition/Bool/aws:SecureTransport").asText()).isEqualTo("false");
                policy.prop("/Queues").forEach(q -> protectedQueues.add(q.path("Ref").asText()));
            }
            Set<String> queues = new TreeSet<>();
            t.resources("AWS::SQS::Queue").forEach(q -> queues.add(q.logicalId()));
            assertThat(protectedQueues).hasSize(2).isEqualTo(queues);
        }
    }

    @Test
    void visibilityTimeout_defaultsToSixFunctionTimeouts() {
        assertThat(standard.resource("AWS::SQS::Queue", "/QueueName", "orders")
                .prop("/VisibilityTimeout").asInt()).isEqualTo(6 * 30);
        assertThat(fifo.resource("AWS::SQS::Queue", "/QueueName", "payments.fifo")
                .prop("/VisibilityTimeout").asInt()).isEqualTo(600);
    }

    @Test
    void fifo_makesBothQueuesFifo() {
        Res queue = fifo.resource("AWS::SQS::Queue", "/QueueName", "payments.fifo");
        Res dlq = fifo.resource("AWS::SQS::Queue", "/QueueName", "payments-dlq.fifo");
        assertThat(queue.prop("/FifoQueue").asBoolean()).isTrue();
        assertThat(dlq.prop("/FifoQueue").asBoolean()).isTrue();
        assertThat(standard.resource("AWS::SQS::Queue", "/QueueName", "orders").prop("/FifoQueue").isMissingNode())
                .isTrue();
    }

    @Test
    void function_runsJava21OnArm64_withSnapStartOnPublishedVersions() {
        Res fn = standard.only("AWS::Lambda::Function");
        assertThat(fn.prop("/Runtime").asText()).isEqualTo("java21");
        assertThat(fn.prop("/Architectures").toString()).isEqualTo("[\"arm64\"]");
        assertThat(fn.prop("/SnapStart/ApplyOn").asText()).isEqualTo("PublishedVersions");
        assertThat(fn.prop("/Handler").asText()).isEqualTo("com.example.OrdersFunction::handleRequest");
        assertThat(fn.prop("/MemorySize").asInt()).isEqualTo(1024);
        assertThat(fn.prop("/Timeout").asInt()).isEqualTo(30);
        Res custom = fifo.only("AWS::Lambda::Function");
        assertThat(custom.prop("/MemorySize").asInt()).isEqualTo(2048);
        assertThat(custom.prop("/Timeout").asInt()).isEqualTo(60);
    }

    @Test
    void function_getsSluiceSettingsFromTheConstruct() {
        Res table = fifo.only("AWS::DynamoDB::Table");
        JsonNode env = fifo.only("AWS::Lambda::Function").prop("/Environment/Variables");

        assertThat(env.path("QUEUE_NAME").asText()).isEqualTo("payments.fifo");
        assertThat(env.path("QUEUE_DLQ_NAME").asText()).isEqualTo("payments-dlq.fifo");
        assertThat(env.path("QUEUE_MAX_RETRY_ATTEMPTS").asText()).isEqualTo("5");
        assertThat(env.path("QUEUE_RETRY_BACKOFF_MS").asText()).isEqualTo("2000");
        assertThat(env.path("QUEUE_RETRY_BACKOFF_MAX_MS").asText()).isEqualTo("600000");
        assertThat(env.path("QUEUE_VISIBILITY_TIMEOUT_SECONDS").asText()).isEqualTo("600");
        assertThat(env.path("IDEMPOTENCY_TABLE")).isEqualTo(table.ref());
        assertThat(env.path("IDEMPOTENCY_TTL_SECONDS").asText()).isEqualTo(Integer.toString(30 * 86_400));
        assertThat(env.path("SLUICE_SIGNATURE_MAX_AGE_SECONDS").asText()).isEqualTo(Integer.toString(25 * 86_400));
        assertThat(env.path("SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS").asText()).isEqualTo("600");
        assertThat(env.path("PAYMENTS_API_URL").asText()).isEqualTo("https://payments.example.com");
        assertThat(env.size()).isEqualTo(11);
    }

    @Test
    void function_defaultsMatchSluiceCore() {
        JsonNode env = standard.only("AWS::Lambda::Function").prop("/Environment/Variables");
        assertThat(env.path("QUEUE_MAX_RETRY_ATTEMPTS").asText()).isEqualTo("3");
        assertThat(env.path("QUEUE_RETRY_BACKOFF_MS").asText()).isEqualTo("1000");
        assertThat(env.path("QUEUE_RETRY_BACKOFF_MAX_MS").asText()).isEqualTo("300000");
        assertThat(env.path("QUEUE_VISIBILITY_TIMEOUT_SECONDS").asText()).isEqualTo("180");
        // 14 days of DLQ retention + a 7-day redrive window + 1 day, so max age + skew fits under it
        assertThat(env.path("IDEMPOTENCY_TTL_SECONDS").asText()).isEqualTo(Integer.toString(22 * 86_400));
        // a redrive at the end of the window (14 + 7 days after sending) is not stale
        assertThat(env.path("SLUICE_SIGNATURE_MAX_AGE_SECONDS").asText()).isEqualTo(Integer.toString(21 * 86_400));
        assertThat(env.path("SLUICE_SIGNATURE_CLOCK_SKEW_SECONDS").asText()).isEqualTo("300");
    }

    @Test
    void function_logsToItsOwnLogGroup_withRetention() {
        Res logGroup = standard.only("AWS::Logs::LogGroup");
        assertThat(standard.only("AWS::Lambda::Function").prop("/LoggingConfig/LogGroup")).isEqualTo(logGroup.ref());
        assertThat(logGroup.prop("/RetentionInDays").asInt()).isEqualTo(30);
        assertThat(fifo.only("AWS::Logs::LogGroup").prop("/RetentionInDays").asInt()).isEqualTo(7);
    }

    @Test
    void eventSource_triggersTheLiveAlias_withPartialBatchResponses() {
        Res version = standard.only("AWS::Lambda::Version");
        Res alias = standard.only("AWS::Lambda::Alias");
        Res queue = standard.resource("AWS::SQS::Queue", "/QueueName", "orders");
        Res mapping = standard.only("AWS::Lambda::EventSourceMapping");

        assertThat(alias.prop("/Name").asText()).isEqualTo("live");
        assertThat(alias.prop("/FunctionVersion")).isEqualTo(version.getAtt("Version"));
        // function-name:live, taken from the alias' ARN: the mapping invokes the alias, never $LATEST
        assertThat(mapping.prop("/FunctionName").toString()).contains(alias.ref().toString()).endsWith("\":live\"]]}");
        assertThat(mapping.prop("/EventSourceArn")).isEqualTo(queue.getAtt("Arn"));
        assertThat(mapping.prop("/FunctionResponseTypes").toString()).isEqualTo("[\"ReportBatchItemFailures\"]");
        assertThat(mapping.prop("/BatchSize").asInt()).isEqualTo(100);
        assertThat(mapping.prop("/MaximumBatchingWindowInSeconds").asInt()).isEqualTo(5);
        assertThat(mapping.prop("/ScalingConfig/MaximumConcurrency").asInt()).isEqualTo(20);

        Res fifoMapping = fifo.only("AWS::Lambda::EventSourceMapping");
        assertThat(fifoMapping.prop("/BatchSize").asInt()).isEqualTo(5);
        assertThat(fifoMapping.prop("/MaximumBatchingWindowInSeconds").isMissingNode()).isTrue();
        assertThat(fifoMapping.prop("/ScalingConfig").isMissingNode()).isTrue();
    }

    @Test
    void idempotencyTable_isOnDemand_expiresRecords_andHasPointInTimeRecovery() {
        Res table = standard.only("AWS::DynamoDB::Table");
        assertThat(table.prop("/BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
        assertThat(table.prop("/KeySchema").toString()).isEqualTo("[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]");
        assertThat(table.prop("/TimeToLiveSpecification/AttributeName").asText()).isEqualTo("expiration");
        assertThat(table.prop("/TimeToLiveSpecification/Enabled").asBoolean()).isTrue();
        assertThat(table.prop("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled").asBoolean()).isTrue();
        assertThat(table.node().path("DeletionPolicy").asText()).isEqualTo("Retain");
    }

    @Test
    void alarms_watchTheDlqTheQueueAgeAndTheFunction_andNotifyTheTopic() {
        Res topic = standard.only("AWS::SNS::Topic");
        Res dlq = standard.resource("AWS::SQS::Queue", "/QueueName", "orders-dlq");
        Res queue = standard.resource("AWS::SQS::Queue", "/QueueName", "orders");
        Res fn = standard.only("AWS::Lambda::Function");

        Res dlqAlarm = standard.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-dlq-not-empty");
        assertAlarm(dlqAlarm, "AWS/SQS", "ApproximateNumberOfMessagesVisible", 0, topic);
        assertThat(dlqAlarm.prop("/Dimensions/0/Value")).isEqualTo(dlq.getAtt("QueueName"));

        Res ageAlarm = standard.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-oldest-message-age");
        assertAlarm(ageAlarm, "AWS/SQS", "ApproximateAgeOfOldestMessage", 900, topic);
        assertThat(ageAlarm.prop("/Dimensions/0/Value")).isEqualTo(queue.getAtt("QueueName"));

        Res errors = standard.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-function-errors");
        assertAlarm(errors, "AWS/Lambda", "Errors", 0, topic);
        assertThat(errors.prop("/Dimensions/0/Value")).isEqualTo(fn.ref());

        Res throttles = standard.resource("AWS::CloudWatch::Alarm", "/AlarmName", "orders-function-throttles");
        assertAlarm(throttles, "AWS/Lambda", "Throttles", 0, topic);

        // and the rate, latency and growth alarms (QueueConsumerAlarmsTest)
        assertThat(standard.resources("AWS::CloudWatch::Alarm")).hasSize(8);
        assertThat(fifo.resource("AWS::CloudWatch::Alarm", "/AlarmName", "payments-oldest-message-age")
                .prop("/Threshold").asInt()).isEqualTo(300);
    }

    private static void assertAlarm(Res alarm, String namespace, String metric, int threshold, Res topic) {
        assertThat(alarm.prop("/Namespace").asText()).isEqualTo(namespace);
        assertThat(alarm.prop("/MetricName").asText()).isEqualTo(metric);
        assertThat(alarm.prop("/Threshold").asInt()).isEqualTo(threshold);
        assertThat(alarm.prop("/ComparisonOperator").asText()).isEqualTo("GreaterThanThreshold");
        assertThat(alarm.prop("/TreatMissingData").asText()).isEqualTo("notBreaching");
        assertThat(alarm.prop("/AlarmActions").get(0)).isEqualTo(topic.ref());
        assertThat(alarm.prop("/OKActions").get(0)).isEqualTo(topic.ref());
        assertThat(alarm.prop("/AlarmDescription").asText()).isNotBlank();
    }

    @Test
    void alarmTopic_acceptsTlsOnly_andCloudWatchOfThisAccount() {
        JsonNode statements = standard.only("AWS::SNS::TopicPolicy").prop("/PolicyDocument/Statement");
        List<String> effects = new ArrayList<>();
        for (JsonNode s : statements) {
            effects.add(s.path("Effect").asText());
            if ("Deny".equals(s.path("Effect").asText())) {
                assertThat(s.at("/Condition/Bool/aws:SecureTransport").asText()).isEqualTo("false");
                assertThat(s.path("Principal").toString()).contains("*");
            } else {
                assertThat(s.at("/Principal/Service").asText()).isEqualTo("cloudwatch.amazonaws.com");
                assertThat(s.at("/Condition/StringEquals/aws:SourceAccount")).isNotEmpty();
            }
        }
        assertThat(effects).containsExactlyInAnyOrder("Deny", "Allow");
    }

    @Test
    void dashboard_showsQueueDlqFunctionAndAlarms() {
        Res dashboard = standard.only("AWS::CloudWatch::Dashboard");
        String body = dashboard.prop("/DashboardBody").toString();

        assertThat(dashboard.prop("/DashboardName").asText()).isEqualTo("orders-sluice");
        assertThat(body).contains("ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateAgeOfOldestMessage", "Invocations", "Errors", "Throttles", "Duration", "p99",
                "alarm");
        // Sluice's own EMF metrics, for the queue by name
        assertThat(body).contains("\\\"Sluice\\\",\\\"queue_messages_completed_total\\\",\\\"queue\\\",\\\"orders\\\"",
                "queue_messages_duplicate_total", "queue_messages_dead_lettered_total");
        for (Res alarm : standard.resources("AWS::CloudWatch::Alarm")) {
            assertThat(body).contains(alarm.logicalId());
        }
    }

    @Test
    void functionRole_allowsOnlyWhatTheConsumerDoes() {
        Res queue = standard.resource("AWS::SQS::Queue", "/QueueName", "orders");
        Res dlq = standard.resource("AWS::SQS::Queue", "/QueueName", "orders-dlq");
        Res table = standard.only("AWS::DynamoDB::Table");
        Res logGroup = standard.only("AWS::Logs::LogGroup");
        Res role = roleAssumedBy(standard, "lambda.amazonaws.com");

        Map<JsonNode, Set<String>> grants = actionsByResource(standard, role);

        assertThat(role.prop("/ManagedPolicyArns").isMissingNode()).isTrue();
        assertThat(grants).containsOnlyKeys(queue.getAtt("Arn"), dlq.getAtt("Arn"), table.getAtt("Arn"),
                logGroup.getAtt("Arn"));
        assertThat(grants.get(queue.getAtt("Arn"))).containsExactlyInAnyOrder("sqs:ReceiveMessage",
                "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
        assertThat(grants.get(dlq.getAtt("Arn"))).containsExactlyInAnyOrder("sqs:SendMessage",
                "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
        assertThat(grants.get(table.getAtt("Arn"))).containsExactlyInAnyOrder("dynamodb:GetItem",
                "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem");
        assertThat(grants.get(logGroup.getAtt("Arn"))).containsExactlyInAnyOrder("logs:CreateLogStream",
                "logs:PutLogEvents");
    }

    @Test
    void redriveRole_aloneMayStartMessageMoveTasks() {
        Res queue = standard.resource("AWS::SQS::Queue", "/QueueName", "orders");
        Res dlq = standard.resource("AWS::SQS::Queue", "/QueueName", "orders-dlq");
        Res redrive = standard.resources("AWS::IAM::Role").stream()
                .filter(r -> r.prop("/Description").asText().startsWith("Redrives")).findFirst().orElseThrow();

        Map<JsonNode, Set<String>> grants = actionsByResource(standard, redrive);
        assertThat(grants.get(dlq.getAtt("Arn"))).contains("sqs:StartMessageMoveTask",
                "sqs:ListMessageMoveTasks", "sqs:CancelMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage");
        assertThat(grants.get(queue.getAtt("Arn"))).contains("sqs:SendMessage");
        assertThat(redrive.prop("/AssumeRolePolicyDocument").toString()).contains(":root");

        for (Res role : standard.resources("AWS::IAM::Role")) {
            boolean mayMove = actionsByResource(standard, role).values().stream()
                    .anyMatch(actions -> actions.contains("sqs:StartMessageMoveTask"));
            assertThat(mayMove).as("role %s may start message move tasks", role.logicalId())
                    .isEqualTo(role.equals(redrive));
        }
    }

    @Test
    void queueNames_areGeneratedWhenNotGiven_andStayWithinSqsLimits() {
        List<Res> queues = generated.resources("AWS::SQS::Queue");
        JsonNode env = generated.only("AWS::Lambda::Function").prop("/Environment/Variables");
        String name = env.path("QUEUE_NAME").asText();

        assertThat(name).matches("[A-Za-z0-9_-]{1,71}").contains("Generated");
        assertThat(env.path("QUEUE_DLQ_NAME").asText()).isEqualTo(name + "-dlq");
        assertThat(queues).extracting(q -> q.prop("/QueueName").asText())
                .containsExactlyInAnyOrder(name, name + "-dlq");
    }

    private static Res roleAssumedBy(Tpl t, String service) {
        return t.resources("AWS::IAM::Role").stream()
                .filter(r -> r.prop("/AssumeRolePolicyDocument").toString().contains(service))
                .findFirst().orElseThrow();
    }

    /** Every action the role's inline policies allow, by resource; fails on a wildcard resource. */
    private static Map<JsonNode, Set<String>> actionsByResource(Tpl t, Res role) {
        Map<JsonNode, Set<String>> grants = new HashMap<>();
        for (Res policy : t.resources("AWS::IAM::Policy")) {
            if (!policy.prop("/Roles").toString().contains(role.ref().toString())) {
                continue;
            }
            for (JsonNode statement : policy.prop("/PolicyDocument/Statement")) {
                assertThat(statement.path("Effect").asText()).isEqualTo("Allow");
                for (JsonNode resource : asList(statement.path("Resource"))) {
                    assertThat(resource.toString()).doesNotContain("\"*\"");
                    Set<String> actions = grants.computeIfAbsent(resource, k -> new TreeSet<>());
                    asList(statement.path("Action")).forEach(a -> actions.add(a.asText()));
                }
            }
        }
        return grants;
    }

    private static List<JsonNode> asList(JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(list::add);
        } else if (!node.isMissingNode()) {
            list.add(node);
        }
        return list;
    }
}
