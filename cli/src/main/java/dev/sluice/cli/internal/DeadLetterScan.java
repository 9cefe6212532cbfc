package dev.sluice.cli.internal;

import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.RedriveEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@code sluice dlq stats} learns from a bounded browse of a dead-letter queue: the failure kinds and the age of
 * the oldest dead letter (SQS has no queue attribute for it; each message's SentTimestamp says when it was sent).
 *
 * @param read dead letters read
 * @param limit the most the scan was allowed to read ({@code --scan})
 * @param visible the queue's approximate number of visible dead letters
 * @param byKind dead letters read by failure kind ({@code UNKNOWN} without a Sluice envelope), most frequent first
 * @param oldestAge the age of the oldest dead letter read, null when none was read or none says when it was enqueued
 */
record DeadLetterScan(int read, int limit, long visible, Map<String, Integer> byKind, @Nullable Duration oldestAge) {
    /**
     * @param letters what a browse read
     * @param limit the browse's limit
     * @param visible the queue's approximate depth
     * @param now the current time
     * @return the kinds and the oldest age among {@code letters}
     */
    static DeadLetterScan of(List<DeadLetter> letters, int limit, long visible, Instant now) {
        Map<String, Integer> counts = new HashMap<>();
        Instant oldest = null;
        for (DeadLetter d : letters) {
            counts.merge(d.envelope().map(e -> e.failureKind().name()).orElse(RedriveEngine.UNKNOWN_KIND), 1, Integer::sum);
            // Instant.EPOCH stands for "no SentTimestamp / enqueued time"
            if (!Instant.EPOCH.equals(d.enqueuedAt()) && (oldest == null || d.enqueuedAt().isBefore(oldest))) {
                oldest = d.enqueuedAt();
            }
        }
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        Duration age = null;
        if (oldest != null) {
            // a clock a little behind the provider's must not make the age negative
            age = oldest.isAfter(now) ? Duration.ZERO : Duration.between(oldest, now);
        }
        return new DeadLetterScan(letters.size(), limit, visible, sorted, age);
    }

    /** @return whether the scan read every visible dead letter (it stopped before its limit, or the queue holds no more) */
    boolean complete() {
        return read < limit || visible <= read;
    }

    /** @return how the scan was bounded, e.g. {@code kinds and oldest age from the first 100 of 1,234 dead letters} */
    String describe() {
        if (read == 0) {
            return "no dead letter read";
        }
        if (complete()) {
            return "kinds and oldest age from all " + DlqCommands.count(read) + " dead letters";
        }
        return "kinds and oldest age from the first " + DlqCommands.count(read) + " of " + DlqCommands.count(visible)
                + " dead letters (--scan " + limit + ")";
    }

    /** @param d an age @return its two largest units: {@code 3h 12m}, {@code 2d 5h}, {@code 45s} */
    static String age(Duration d) {
        long days = d.toDays();
        if (days > 0) {
            return days + "d " + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m " + d.toSecondsPart() + "s";
        }
        return d.toSeconds() + "s";
    }
}
