package dev.sluice.core.observability;

import dev.sluice.core.spi.MetricsSink;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A thread-safe metrics sink that keeps totals in memory: for tests, the local demo and summaries. */
public final class InMemoryMetrics implements MetricsSink {
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> durationCounts = new ConcurrentHashMap<>();

    @Override
    public void count(String name, long value, Map<String, String> dimensions) {
        counters.computeIfAbsent(key(name, dimensions), k -> new LongAdder()).add(value);
    }

    @Override
    public void duration(String name, Duration value, Map<String, String> dimensions) {
        durationCounts.computeIfAbsent(key(name, dimensions), k -> new LongAdder()).increment();
    }

    /**
     * @param name a metric name
     * @return the sum over all dimension combinations
     */
    public long total(String name) {
        return sum(counters, name) + sum(durationCounts, name);
    }

    /**
     * @param name a metric name
     * @param dimension a dimension name
     * @param value its value
     * @return the sum over data points having that dimension value
     */
    public long total(String name, String dimension, String value) {
        String needle = dimension + "=" + value;
        return counters.entrySet().stream()
                .filter(e -> e.getKey().startsWith(name + "{") && e.getKey().contains(needle))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    private static long sum(Map<String, LongAdder> map, String name) {
        return map.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{"))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    private static String key(String name, Map<String, String> dimensions) {
        return name + new TreeMap<>(dimensions);
    }

    @Override
    public String toString() {
        return new TreeMap<>(counters).toString();
    }
}
