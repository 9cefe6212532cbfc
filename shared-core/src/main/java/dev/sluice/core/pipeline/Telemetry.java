package dev.sluice.core.pipeline;

import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Duplicate;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.spi.MetricsSink;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The pipeline's metrics and log lines, shared by its stages. */
final class Telemetry {
    private final String queueName;
    private final MetricsSink metrics;
    private final StructuredLog log;
    private final Map<String, String> queueDimension;

    Telemetry(String queueName, MetricsSink metrics, LogSink sink) {
        this.queueName = queueName;
        this.metrics = metrics;
        this.log = new StructuredLog(sink, Map.of("queue_name", queueName));
        this.queueDimension = Map.of(SluiceMetrics.DIM_QUEUE, queueName);
    }

    StructuredLog log() {
        return log;
    }

    void count(String metric) {
        metrics.count(metric, 1, queueDimension);
    }

    void error(String errorType) {
        metrics.count(SluiceMetrics.ERRORS, 1, Map.of(SluiceMetrics.DIM_QUEUE, queueName, SluiceMetrics.DIM_ERROR_TYPE, errorType));
    }

    void handlerDuration(Duration duration) {
        metrics.duration(SluiceMetrics.HANDLER_DURATION, duration, queueDimension);
    }

    void log(LogSink.Level level, String message, Map<String, ?> fields, @Nullable Throwable error) {
        log.log(level, message, fields, error);
    }

    void flush() {
        try {
            metrics.flush();
        } catch (RuntimeException e) {
            log.log(LogSink.Level.WARN, "metrics flush failed", Map.of("operation", "metrics"), e);
        }
    }

    /** Counts and logs how a message ended. */
    void record(MessageOutcome outcome) {
        IncomingMessage message = outcome.message();
        switch (outcome) {
            case Processed p -> {
                count(SluiceMetrics.COMPLETED);
                log.log(LogSink.Level.DEBUG, "processed", fields(message, "handle"), null);
            }
            case Duplicate d -> {
                count(SluiceMetrics.DUPLICATE);
                log.log(LogSink.Level.INFO, "duplicate skipped", fields(message, "idempotency"), null);
            }
            case Retry r -> count(SluiceMetrics.ABANDONED);
            case DeadLettered d -> {
                metrics.count(SluiceMetrics.DEAD_LETTERED, 1,
                        Map.of(SluiceMetrics.DIM_QUEUE, queueName, SluiceMetrics.DIM_FAILURE_KIND, d.kind().name()));
                Map<String, Object> fields = new LinkedHashMap<>(fields(message, "dead_letter"));
                fields.put("failure_kind", d.kind().name());
                fields.put("error_type", d.envelope().errorType());
                fields.put("error_message", d.reason());
                fields.put("error_fingerprint", d.envelope().errorFingerprint());
                log.log(LogSink.Level.ERROR, "message dead-lettered", fields, null);
            }
        }
    }

    static Map<String, Object> fields(IncomingMessage message, String operation) {
        return Map.of("message_id", message.id(),
                "correlation_id", message.correlationId().orElse(""),
                "operation", operation,
                "delivery_count", message.deliveryCount());
    }

    static Map<String, Object> withAttempt(IncomingMessage message, int attempt) {
        Map<String, Object> fields = new LinkedHashMap<>(fields(message, "handle"));
        fields.put("attempt", attempt);
        return fields;
    }
}
