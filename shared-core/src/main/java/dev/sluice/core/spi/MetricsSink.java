package dev.sluice.core.spi;

import java.time.Duration;
import java.util.Map;

/**
 * Where metrics go: EMF lines on AWS, OpenTelemetry on Azure. Names are in
 * {@code dev.sluice.core.observability.SluiceMetrics}; every data point carries a {@code queue} dimension.
 * Implementations must be thread-safe and must not block on I/O.
 */
public interface MetricsSink {
    /** Discards everything. */
    MetricsSink NOOP = new MetricsSink() {
        @Override
        public void count(String name, long value, Map<String, String> dimensions) {}

        @Override
        public void duration(String name, Duration value, Map<String, String> dimensions) {}
    };

    /**
     * @param name metric name
     * @param value increment
     * @param dimensions dimensions, {@code queue} included
     */
    void count(String name, long value, Map<String, String> dimensions);

    /**
     * @param name metric name
     * @param value measured duration
     * @param dimensions dimensions, {@code queue} included
     */
    void duration(String name, Duration value, Map<String, String> dimensions);

    /** Called once at the end of a batch, e.g. to write one EMF line for the batch. */
    default void flush() {}
}
