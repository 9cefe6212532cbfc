package dev.sluice.cdk.internal;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.constructs.Construct;

/** The alarms, their SNS topic and the dashboard of one consumer. */
public final class ConsumerMonitoring {

    /**
     * @param topic where every alarm (and its recovery) is published
     * @param alarms DLQ not empty, oldest message age, function errors, function throttles
     * @param dashboard queue, DLQ and function metrics with the alarms' states
     */
    public record Resources(ITopic topic, List<Alarm> alarms, Dashboard dashboard) {
    }

    /** The EMF namespace functions-aws writes Sluice's metrics to (its SLUICE_METRICS_NAMESPACE default). */
    static final String SLUICE_NAMESPACE = "Sluice";

    private ConsumerMonitoring() {
    }

    /** Creates the monitoring of a consumer inside {@code scope}. */
    public static Resources create(Construct scope, String baseName, QueueNames names, IQueue queue,
            IQueue deadLetterQueue, IFunction function, ConsumerSettings settings) {
        ITopic topic = settings.alarmTopic() != null ? settings.alarmTopic() : alarmTopic(scope, baseName);

        Alarm dlqNotEmpty = alarm(scope, "DeadLetterQueueNotEmptyAlarm", baseName + "-dlq-not-empty",
                deadLetterQueue.metricApproximateNumberOfMessagesVisible(perMinute("Maximum")), 0,
                "Messages are waiting in the dead-letter queue of " + names.queue()
                        + ": inspect them with `sluice dlq inspect`, fix the cause, then redrive.");
        Alarm oldestMessage = alarm(scope, "OldestMessageAgeAlarm", baseName + "-oldest-message-age",
                queue.metricApproximateAgeOfOldestMessage(perMinute("Maximum")),
                settings.oldestMessageAgeAlarmThreshold().toSeconds(),
                "The oldest message of " + names.queue() + " is older than "
                        + settings.oldestMessageAgeAlarmThreshold().toSeconds()
                        + " s: the consumer is falling behind or stuck.");
        Alarm errors = alarm(scope, "FunctionErrorsAlarm", baseName + "-function-errors",
                function.metricErrors(fiveMinutes()), 0,
                "The consumer function failed whole invocations (crash, timeout or out of memory); "
                        + "Sluice reports single failed messages without an error.");
        Alarm throttles = alarm(scope, "FunctionThrottlesAlarm", baseName + "-function-throttles",
                function.metricThrottles(fiveMinutes()), 0,
                "The consumer function was throttled: raise reserved or account concurrency, "
                        + "or lower maxConcurrency.");
        List<Alarm> alarms = List.of(dlqNotEmpty, oldestMessage, errors, throttles);
        SnsAction action = new SnsAction(topic);
        for (Alarm alarm : alarms) {
            alarm.addAlarmAction(action);
            alarm.addOkAction(action);
        }
        return new Resources(topic, alarms, dashboard(scope, baseName, names, queue, deadLetterQueue, function, alarms));
    }

    private static Topic alarmTopic(Construct scope, String baseName) {
        Topic topic = Topic.Builder.create(scope, "AlarmTopic")
                .displayName("Sluice alarms for " + baseName)
                .enforceSsl(true)
                .build();
        // The topic policy replaces the default one, so CloudWatch gets an explicit, account-bound grant.
        Stack stack = Stack.of(scope);
        topic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowCloudWatchAlarmsOfThisAccount")
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(topic.getTopicArn()))
                .conditions(Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", stack.getAccount()),
                        "ArnLike", Map.of("aws:SourceArn", "arn:" + stack.getPartition()
                                + ":cloudwatch:" + stack.getRegion() + ":" + stack.getAccount() + ":alarm:*")))
                .build());
        return topic;
    }

    private static Alarm alarm(Construct scope, String id, String name, IMetric metric, double threshold,
            String description) {
        return Alarm.Builder.create(scope, id)
                .alarmName(name)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
    }

    private static Dashboard dashboard(Construct scope, String baseName, QueueNames names, IQueue queue, IQueue dlq,
            IFunction function, List<Alarm> alarms) {
        Dashboard dashboard = Dashboard.Builder.create(scope, "Dashboard")
                .dashboardName(baseName + "-sluice")
                .build();
        dashboard.addWidgets(
                graph("Messages waiting and in flight",
                        queue.metricApproximateNumberOfMessagesVisible(perMinute("Maximum")),
                        queue.metricApproximateNumberOfMessagesNotVisible(perMinute("Maximum")),
                        dlq.metricApproximateNumberOfMessagesVisible(perMinute("Maximum"))),
                graph("Age of oldest message (seconds)",
                        queue.metricApproximateAgeOfOldestMessage(perMinute("Maximum")),
                        dlq.metricApproximateAgeOfOldestMessage(perMinute("Maximum"))));
        dashboard.addWidgets(
                graph("Invocations, errors, throttles",
                        function.metricInvocations(fiveMinutes()),
                        function.metricErrors(fiveMinutes()),
                        function.metricThrottles(fiveMinutes())),
                graph("Duration p50 / p99 (ms)",
                        function.metricDuration(MetricOptions.builder().statistic("p50").period(Duration.minutes(5)).build()),
                        function.metricDuration(MetricOptions.builder().statistic("p99").period(Duration.minutes(5)).build())));
        dashboard.addWidgets(
                GraphWidget.Builder.create().title("Sluice outcomes (EMF, per 5 minutes)").width(12)
                        .left(List.of(sluice("queue_messages_received_total", names), sluice("queue_messages_completed_total", names),
                                sluice("queue_messages_duplicate_total", names), sluice("queue_messages_abandoned_total", names)))
                        .build(),
                GraphWidget.Builder.create().title("Sluice dead letters by failure kind").width(12)
                        .left(List.of(MathExpression.Builder.create()
                                // dead letters carry a failure_kind dimension too: SEARCH sums every kind
                                .expression("SEARCH('{" + SLUICE_NAMESPACE + ",failure_kind,queue} MetricName=\"queue_messages_dead_lettered_total\" queue=\""
                                        + names.queue() + "\"', 'Sum', 300)")
                                .usingMetrics(Map.of())
                                .label("dead-lettered")
                                .period(Duration.minutes(5))
                                .build()))
                        .build());
        dashboard.addWidgets(AlarmStatusWidget.Builder.create()
                .title("Alarms")
                .alarms(List.<IAlarm>copyOf(alarms))
                .width(24)
                .build());
        return dashboard;
    }

    private static IMetric sluice(String metricName, QueueNames names) {
        return Metric.Builder.create().namespace(SLUICE_NAMESPACE).metricName(metricName)
                .dimensionsMap(Map.of("queue", names.queue())).statistic("Sum").period(Duration.minutes(5))
                .label(metricName.replace("queue_messages_", "").replace("_total", ""))
                .build();
    }

    private static GraphWidget graph(String title, Metric... metrics) {
        return GraphWidget.Builder.create().title(title).left(List.<IMetric>of(metrics)).width(12).build();
    }

    private static MetricOptions perMinute(String statistic) {
        return MetricOptions.builder().statistic(statistic).period(Duration.minutes(1)).build();
    }

    private static MetricOptions fiveMinutes() {
        return MetricOptions.builder().statistic("Sum").period(Duration.minutes(5)).build();
    }
}
