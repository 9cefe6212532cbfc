package dev.sluice.cdk.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
import software.amazon.awscdk.services.cloudwatch.Unit;
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
     * @param alarms DLQ not empty, oldest message age, function errors, function throttles, dead-letter
     *     rate, retry rate, handler p95 latency, queue depth growing
     * @param dashboard queue, DLQ and function metrics with the alarms' states
     */
    public record Resources(ITopic topic, List<Alarm> alarms, Dashboard dashboard) {
    }

    /** The EMF namespace functions-aws writes Sluice's metrics to (its SLUICE_METRICS_NAMESPACE default). */
    public static final String SLUICE_NAMESPACE = "Sluice";

    // Sluice's metric names and dimensions (shared-core SluiceMetrics; a test keeps them in step).
    // EmfMetricsSink writes one metric per dimension set: counters as Count, durations as Seconds.
    /** Messages handed to the pipeline (every delivery); dimension {@code queue}. */
    public static final String RECEIVED = "queue_messages_received_total";
    /** Retries scheduled after a failed attempt; dimension {@code queue}. */
    public static final String RETRY_ATTEMPTS = "queue_retry_attempts_total";
    /** Dead letters; dimensions {@code failure_kind} and {@code queue}, never {@code queue} alone. */
    public static final String DEAD_LETTERED = "queue_messages_dead_lettered_total";
    /** Handler execution time in seconds; dimension {@code queue}. */
    public static final String HANDLER_DURATION = "queue_handler_duration_seconds";
    /** The queue dimension. */
    public static final String DIM_QUEUE = "queue";
    /** The failure kind dimension of {@link #DEAD_LETTERED}. */
    public static final String DIM_FAILURE_KIND = "failure_kind";
    /**
     * Every failure kind (shared-core FailureKind). An alarm cannot SEARCH, and the dead-letter count
     * has no {@code queue}-only dimension set, so the dead-letter rate sums one metric per kind.
     */
    public static final List<String> FAILURE_KINDS =
            List.of("POISON", "PERMANENT", "EXHAUSTED", "SIGNATURE_INVALID", "IDEMPOTENCY_MISMATCH", "TIMEOUT");

    /** The period of the rate, latency and growth alarms. */
    static final Duration ALARM_PERIOD = Duration.minutes(5);

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
        Alarm deadLetterRate = alarm(scope, "DeadLetterRateAlarm", baseName + "-dead-letter-rate",
                deadLetterRate(names), settings.deadLetterRateAlarmPercent(),
                "More than " + settings.deadLetterRateAlarmPercent() + " % of the messages " + names.queue()
                        + " received in 5 minutes were dead-lettered: look for a bad producer or a failing "
                        + "dependency (`sluice dlq inspect` groups them by error).");
        Alarm retryRate = alarm(scope, "RetryRateAlarm", baseName + "-retry-rate",
                retryRate(names), settings.retryRateAlarmPercent(),
                "More than " + settings.retryRateAlarmPercent() + " % of the messages " + names.queue()
                        + " received in 5 minutes failed an attempt and were retried: a dependency is "
                        + "failing or slow; dead letters follow once attempts run out.");
        double latencySeconds = settings.handlerLatencyAlarmThreshold().toMillis() / 1000.0;
        Alarm latency = alarm(scope, "HandlerLatencyAlarm", baseName + "-handler-p95",
                handlerDuration(names, "p95"), latencySeconds,
                "The 95th percentile of the handler's duration for " + names.queue() + " is above "
                        + latencySeconds + " s over 5 minutes (" + HANDLER_DURATION + " is in seconds).");
        int growthPeriods = settings.queueDepthGrowthAlarmPeriods();
        Alarm growing = Alarm.Builder.create(scope, "QueueDepthGrowingAlarm")
                .alarmName(baseName + "-queue-depth-growing")
                .alarmDescription("The messages waiting in " + names.queue() + " grew in each of "
                        + growthPeriods + " consecutive 5-minute periods: the consumer does not keep up "
                        + "(raise maxConcurrency or batchSize, or look for a slow dependency).")
                .metric(depthGrowth(queue))
                .threshold(0)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .evaluationPeriods(growthPeriods)
                .datapointsToAlarm(growthPeriods)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        List<Alarm> alarms = List.of(dlqNotEmpty, oldestMessage, errors, throttles, deadLetterRate, retryRate,
                latency, growing);
        SnsAction action = new SnsAction(topic);
        for (Alarm alarm : alarms) {
            alarm.addAlarmAction(action);
            alarm.addOkAction(action);
        }
        return new Resources(topic, alarms, dashboard(scope, baseName, names, queue, deadLetterQueue, function, alarms));
    }

    /** Dead letters (every failure kind) per received message, in percent; 0 when nothing was received. */
    static MathExpression deadLetterRate(QueueNames names) {
        Map<String, IMetric> using = new LinkedHashMap<>();
        using.put("received", sluice(RECEIVED, names, "Sum"));
        StringBuilder sum = new StringBuilder();
        for (String kind : FAILURE_KINDS) {
            String id = "dl_" + kind.toLowerCase(Locale.ROOT);
            using.put(id, Metric.Builder.create().namespace(SLUICE_NAMESPACE).metricName(DEAD_LETTERED)
                    .dimensionsMap(Map.of(DIM_QUEUE, names.queue(), DIM_FAILURE_KIND, kind))
                    .statistic("Sum").period(ALARM_PERIOD).build());
            sum.append(sum.isEmpty() ? "" : ", ").append(id);
        }
        // SUM([...]) adds the kinds present at each timestamp (a kind without dead letters has no data)
        return MathExpression.Builder.create()
                .expression("IF(received > 0, 100 * SUM([" + sum + "]) / received, 0)")
                .usingMetrics(using)
                .label("dead-letter rate (%)")
                .period(ALARM_PERIOD)
                .build();
    }

    /** Retries per received message, in percent; 0 when nothing was received. */
    static MathExpression retryRate(QueueNames names) {
        Map<String, IMetric> using = new LinkedHashMap<>();
        using.put("received", sluice(RECEIVED, names, "Sum"));
        using.put("retries", sluice(RETRY_ATTEMPTS, names, "Sum"));
        return MathExpression.Builder.create()
                .expression("IF(received > 0, 100 * FILL(retries, 0) / received, 0)")
                .usingMetrics(using)
                .label("retry rate (%)")
                .period(ALARM_PERIOD)
                .build();
    }

    /** The change of the queue's depth (maximum of visible messages) from one 5-minute period to the next. */
    static MathExpression depthGrowth(IQueue queue) {
        return MathExpression.Builder.create()
                .expression("DIFF(depth)")
                .usingMetrics(Map.of("depth", queue.metricApproximateNumberOfMessagesVisible(
                        MetricOptions.builder().statistic("Maximum").period(ALARM_PERIOD).build())))
                .label("depth change per 5 minutes")
                .period(ALARM_PERIOD)
                .build();
    }

    private static Metric handlerDuration(QueueNames names, String statistic) {
        return Metric.Builder.create().namespace(SLUICE_NAMESPACE).metricName(HANDLER_DURATION)
                .dimensionsMap(Map.of(DIM_QUEUE, names.queue())).statistic(statistic).period(ALARM_PERIOD)
                .unit(Unit.SECONDS)
                .build();
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
        dashboard.addWidgets(
                GraphWidget.Builder.create().title("Dead-letter and retry rate (% of received)").width(8)
                        .left(List.of(deadLetterRate(names), retryRate(names)))
                        .build(),
                GraphWidget.Builder.create().title("Handler duration p50 / p95 (seconds)").width(8)
                        .left(List.of(
                                handlerDuration(names, "p50").with(MetricOptions.builder().label("handler p50 (s)").build()),
                                handlerDuration(names, "p95").with(MetricOptions.builder().label("handler p95 (s)").build())))
                        .build(),
                GraphWidget.Builder.create().title("Queue depth change per 5 minutes").width(8)
                        .left(List.of(depthGrowth(queue)))
                        .build());
        dashboard.addWidgets(AlarmStatusWidget.Builder.create()
                .title("Alarms")
                .alarms(List.<IAlarm>copyOf(alarms))
                .width(24)
                .build());
        return dashboard;
    }

    private static IMetric sluice(String metricName, QueueNames names) {
        return sluice(metricName, names, "Sum");
    }

    private static Metric sluice(String metricName, QueueNames names, String statistic) {
        return Metric.Builder.create().namespace(SLUICE_NAMESPACE).metricName(metricName)
                .dimensionsMap(Map.of(DIM_QUEUE, names.queue())).statistic(statistic).period(ALARM_PERIOD)
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
