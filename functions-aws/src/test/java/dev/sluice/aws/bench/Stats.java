package dev.sluice.aws.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Median and spread of measured values (milliseconds). */
final class Stats {
    private final List<Double> values = new ArrayList<>();

    void add(double value) {
        values.add(value);
    }

    double percentile(double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    double median() {
        return percentile(50);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "median %.1f ms (min %.1f, p90 %.1f, max %.1f, n=%d)",
                median(), percentile(0), percentile(90), percentile(100), values.size());
    }
}
