package dev.sluice.core.sender;

import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.spi.MetricsSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Records a send's metrics the same way for every provider. */
public final class SendMetrics {
    /** {@code status} of a message the provider accepted. */
    public static final String SENT = "sent";
    /** {@code status} of a message that was not sent. */
    public static final String FAILED = "failed";

    private SendMetrics() {}

    /**
     * Counts {@value SluiceMetrics#SENT} by status and records {@value SluiceMetrics#SEND_DURATION}, then flushes.
     *
     * @param metrics the sink
     * @param queue the queue
     * @param results the send's results
     * @param took how long the send took
     */
    public static void record(MetricsSink metrics, String queue, List<SendResult> results, Duration took) {
        long sent = results.stream().filter(r -> r instanceof SendResult.Sent).count();
        long failed = results.size() - sent;
        if (sent > 0) {
            metrics.count(SluiceMetrics.SENT, sent, Map.of(SluiceMetrics.DIM_QUEUE, queue, SluiceMetrics.DIM_STATUS, SENT));
        }
        if (failed > 0) {
            metrics.count(SluiceMetrics.SENT, failed, Map.of(SluiceMetrics.DIM_QUEUE, queue, SluiceMetrics.DIM_STATUS, FAILED));
        }
        metrics.duration(SluiceMetrics.SEND_DURATION, took, Map.of(SluiceMetrics.DIM_QUEUE, queue));
        metrics.flush();
    }
}
