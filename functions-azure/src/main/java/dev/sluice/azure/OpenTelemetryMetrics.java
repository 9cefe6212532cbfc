package dev.sluice.azure;

import dev.sluice.core.spi.MetricsSink;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sluice's metrics (DESIGN section 8) through the OpenTelemetry API, which Application Insights collects
 * on Azure Functions: counters keep their names ({@code queue_messages_received_total}, ...), durations
 * become histograms in seconds, dimensions become attributes. No exporter is configured here; the
 * platform's OpenTelemetry (e.g. the Application Insights agent) decides where data goes.
 */
public final class OpenTelemetryMetrics implements MetricsSink {
    /** The instrumentation scope name. */
    public static final String SCOPE = "dev.sluice";

    private final Meter meter;
    private final Map<String, LongCounter> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleHistogram> histograms = new ConcurrentHashMap<>();

    private OpenTelemetryMetrics(Meter meter) {
        this.meter = meter;
    }

    /**
     * @param openTelemetry the OpenTelemetry instance, e.g. {@code GlobalOpenTelemetry.get()}
     * @return a sink recording through it
     */
    public static OpenTelemetryMetrics of(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        return new OpenTelemetryMetrics(openTelemetry.getMeter(SCOPE));
    }

    @Override
    public void count(String name, long value, Map<String, String> dimensions) {
        counters.computeIfAbsent(name, n -> meter.counterBuilder(n).build()).add(value, attributes(dimensions));
    }

    @Override
    public void duration(String name, Duration value, Map<String, String> dimensions) {
        histograms.computeIfAbsent(name, n -> meter.histogramBuilder(n).setUnit("s").build())
                .record(value.toNanos() / 1e9, attributes(dimensions));
    }

    private static Attributes attributes(Map<String, String> dimensions) {
        AttributesBuilder builder = Attributes.builder();
        dimensions.forEach(builder::put);
        return builder.build();
    }
}
