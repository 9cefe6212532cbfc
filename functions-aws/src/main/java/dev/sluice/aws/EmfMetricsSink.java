package dev.sluice.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.spi.MetricsSink;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Metrics as CloudWatch Embedded Metric Format: data points are aggregated in memory during a batch and
 * {@link #flush()} writes one JSON line per dimension set to standard output, where Lambda's log
 * agent turns them into CloudWatch metrics. No API calls, no extra latency, no extra dependency.
 * Counters are summed; durations are written as a list of values in seconds. Thread-safe.
 */
public final class EmfMetricsSink implements MetricsSink {
    /** EMF allows at most 100 values per metric in one line. */
    private static final int MAX_VALUES = 100;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String namespace;
    private final Consumer<String> out;
    private final Clock clock;
    /** dimension set (sorted) → metric name → aggregate */
    private Map<Map<String, String>, Map<String, Aggregate>> pending = new LinkedHashMap<>();

    private static final class Aggregate {
        final boolean seconds;
        long count;
        final List<Double> values = new ArrayList<>();

        Aggregate(boolean seconds) {
            this.seconds = seconds;
        }
    }

    /**
     * @param namespace the CloudWatch namespace
     * @param out where each EMF line goes (e.g. {@code System.out::println})
     * @param clock the clock for the line's timestamp
     */
    public EmfMetricsSink(String namespace, Consumer<String> out, Clock clock) {
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.out = Objects.requireNonNull(out, "out");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param namespace the CloudWatch namespace
     * @return a sink writing to standard output
     */
    public static EmfMetricsSink toStandardOutput(String namespace) {
        PrintStream stdout = System.out;
        return new EmfMetricsSink(namespace, stdout::println, Clock.systemUTC());
    }

    @Override
    public synchronized void count(String name, long value, Map<String, String> dimensions) {
        aggregate(name, dimensions, false).count += value;
    }

    @Override
    public synchronized void duration(String name, Duration value, Map<String, String> dimensions) {
        Aggregate aggregate = aggregate(name, dimensions, true);
        if (aggregate.values.size() < MAX_VALUES) {
            aggregate.values.add(value.toNanos() / 1e9);
        }
    }

    private Aggregate aggregate(String name, Map<String, String> dimensions, boolean seconds) {
        return pending.computeIfAbsent(new TreeMap<>(dimensions), k -> new LinkedHashMap<>())
                .computeIfAbsent(name, k -> new Aggregate(seconds));
    }

    @Override
    public void flush() {
        Map<Map<String, String>, Map<String, Aggregate>> batch;
        synchronized (this) {
            batch = pending;
            pending = new LinkedHashMap<>();
        }
        long timestamp = clock.millis();
        batch.forEach((dimensions, metrics) -> out.accept(line(timestamp, dimensions, metrics)));
    }

    private String line(long timestamp, Map<String, String> dimensions, Map<String, Aggregate> metrics) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode aws = root.putObject("_aws");
        aws.put("Timestamp", timestamp);
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", namespace);
        ArrayNode dimensionSet = directive.putArray("Dimensions").addArray();
        dimensions.keySet().forEach(dimensionSet::add);
        ArrayNode definitions = directive.putArray("Metrics");
        dimensions.forEach(root::put);
        metrics.forEach((name, aggregate) -> {
            definitions.addObject().put("Name", name).put("Unit", aggregate.seconds ? "Seconds" : "Count");
            if (aggregate.seconds) {
                ArrayNode values = root.putArray(name);
                aggregate.values.forEach(values::add);
            } else {
                root.put(name, aggregate.count);
            }
        });
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an EMF line", e);
        }
    }
}
