package dev.sluice.tests.aws;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * What the chaos test knows independently of the system under test: what was sent (ids, keys, groups, planned
 * fate), which effects the handler applied, which crashes were injected, which messages the function
 * acknowledged, and what ended in the dead-letter queue. Thread-safe: pollers and handler threads report into
 * concurrent collections; the test reads it once everything has stopped.
 */
final class ChaosLedger {
    /** The fate planned for an order key (a producer duplicate shares its original's). */
    enum Plan { NORMAL, TRANSIENT, POISON, CRASH_BEFORE_COMPLETE, CRASH_AFTER_COMPLETE, EXHAUSTING }

    /**
     * One accepted send.
     *
     * @param messageId the SQS message id
     * @param key the order id (the idempotency key)
     * @param group the FIFO group
     * @param plan the key's planned fate
     * @param producerDuplicate whether this send repeats an earlier one
     */
    record Sent(String messageId, String key, String group, Plan plan, boolean producerDuplicate) {}

    /** One observed side effect, numbered in the order it happened. */
    record Effect(long seq, String key, String group) {}

    private final Map<String, Plan> plans = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    private final Map<String, List<String>> sendOrderByGroup = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Effect> effects = new ConcurrentLinkedQueue<>();
    private final AtomicLong effectSeq = new AtomicLong();
    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
    private final Set<String> crashFired = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> completesLostToCrash = new ConcurrentHashMap<>();
    private final AtomicInteger crashesBeforeComplete = new AtomicInteger();
    private final AtomicInteger crashesAfterComplete = new AtomicInteger();
    private final AtomicInteger crashedInvocations = new AtomicInteger();
    private final AtomicInteger transientFailures = new AtomicInteger();
    private final AtomicInteger duplicatesSkipped = new AtomicInteger();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, String> deadLetterKinds = new ConcurrentHashMap<>();
    private final AtomicInteger deadLettersWithoutEnvelope = new AtomicInteger();
    // keys whose last handler run has not reached a release or completion yet, and runs whose count a crash lost
    private final Set<String> runsAwaitingRelease = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> countsLostToCrash = new ConcurrentHashMap<>();

    void plan(String key, Plan plan) {
        plans.put(key, plan);
    }

    Plan planOf(String key) {
        return plans.getOrDefault(key, Plan.NORMAL);
    }

    /** Called by a producer thread that owns {@code group}, in send order. */
    void sent(Sent s) {
        sent.add(s);
        sendOrderByGroup.computeIfAbsent(s.group(), g -> Collections.synchronizedList(new ArrayList<>())).add(s.key());
    }

    /** @return the handler's execution number for {@code key}, from 1 */
    int executed(String key) {
        runsAwaitingRelease.add(key);
        return executions.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    /**
     * The pipeline released {@code key}'s lease after a failed run.
     *
     * @param reachedStore false when the process had crashed, so the record never counted the run
     */
    void released(String key, boolean reachedStore) {
        if (runsAwaitingRelease.remove(key) && !reachedStore) {
            countsLostToCrash.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    void transientFailure() {
        transientFailures.incrementAndGet();
    }

    void effect(String key, String group) {
        effects.add(new Effect(effectSeq.incrementAndGet(), key, group));
    }

    /** @return true the first time a crash fires for {@code key}: each planned crash happens once */
    boolean fireCrash(String key) {
        return crashFired.add(key);
    }

    void crashBeforeComplete() {
        crashesBeforeComplete.incrementAndGet();
    }

    void crashAfterComplete() {
        crashesAfterComplete.incrementAndGet();
    }

    /** The process died after {@code key}'s effect and before its record was completed. */
    void completeLostToCrash(String key) {
        completesLostToCrash.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    void crashedInvocation() {
        crashedInvocations.incrementAndGet();
    }

    void duplicateSkipped() {
        duplicatesSkipped.incrementAndGet();
    }

    void acknowledged(String messageId) {
        acknowledged.add(messageId);
    }

    void deadLetter(String originalMessageId, String kind) {
        deadLetterKinds.put(originalMessageId, kind);
    }

    void deadLetterWithoutEnvelope() {
        deadLettersWithoutEnvelope.incrementAndGet();
    }

    // ---- reading, once the run has stopped ----

    List<Sent> sent() {
        return List.copyOf(sent);
    }

    /**
     * @param effectCounts effects per key, as observed for the mode
     * @return what was lost, one line each: a key that should have an effect and has none while no send of it is in
     *     the DLQ with a reason (acknowledged without being applied), and a send neither acknowledged by the function
     *     nor in the DLQ with a reason
     */
    List<String> lost(Map<String, Integer> effectCounts) {
        Set<String> deadLetteredKeys = sent.stream().filter(s -> deadLetterKinds.containsKey(s.messageId()))
                .map(Sent::key).collect(Collectors.toSet());
        List<String> lost = new ArrayList<>();
        keysToApply().stream().sorted()
                .filter(key -> effectCounts.getOrDefault(key, 0) == 0 && !deadLetteredKeys.contains(key))
                .forEach(key -> lost.add("key " + key + ": no effect, not dead-lettered"));
        sent.stream().filter(s -> !acknowledged.contains(s.messageId()) && !deadLetterKinds.containsKey(s.messageId()))
                .forEach(s -> lost.add("message " + s.messageId() + " (key " + s.key() + "): neither acknowledged nor dead-lettered"));
        return lost;
    }

    Map<String, String> deadLetterKinds() {
        return Map.copyOf(deadLetterKinds);
    }

    int crashedInvocations() {
        return crashedInvocations.get();
    }

    int deadLettersWithoutEnvelope() {
        return deadLettersWithoutEnvelope.get();
    }

    /** @return the keys a handler must have applied: every key not planned as poison or to fail every run */
    Set<String> keysToApply() {
        return sent.stream().filter(s -> applies(s.plan())).map(Sent::key).collect(Collectors.toSet());
    }

    private static boolean applies(Plan plan) {
        return plan != Plan.POISON && plan != Plan.EXHAUSTING;
    }

    /**
     * @return per key dead-lettered {@code EXHAUSTED}, the handler executions behind it: runs the ledger saw, less
     *     runs whose failure a crash kept from the record (the process died between the run and its release)
     */
    Map<String, Integer> executionsBehindExhausted() {
        Map<String, Integer> behind = new TreeMap<>();
        sent.stream().filter(s -> "EXHAUSTED".equals(deadLetterKinds.get(s.messageId()))).map(Sent::key).forEach(key ->
                behind.put(key, executions.getOrDefault(key, new AtomicInteger()).get()
                        - countsLostToCrash.getOrDefault(key, new AtomicInteger()).get()));
        return behind;
    }

    /** @return runs whose failure count a crash lost, over all keys */
    int countsLostToCrash() {
        return countsLostToCrash.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** @return how often each key's effect was observed (guard mode: by the handler) */
    Map<String, Integer> effectCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        effects.forEach(e -> counts.merge(e.key(), 1, Integer::sum));
        return counts;
    }

    /** @return per key, effects beyond the first that no crash after the effect explains */
    Map<String, Integer> unexplainedDoubles(Map<String, Integer> effectCounts) {
        Map<String, Integer> unexplained = new TreeMap<>();
        effectCounts.forEach((key, n) -> {
            int explained = completesLostToCrash.getOrDefault(key, new AtomicInteger()).get();
            if (n - 1 > explained) {
                unexplained.put(key, n - 1 - explained);
            }
        });
        return unexplained;
    }

    /** @return per group, the keys in the order their first effect happened (guard mode) */
    Map<String, List<String>> firstEffectOrderByGroup() {
        Map<String, List<String>> order = new TreeMap<>();
        Set<String> seen = new java.util.HashSet<>();
        effects.stream().sorted(java.util.Comparator.comparingLong(Effect::seq)).forEach(e -> {
            if (seen.add(e.key())) {
                order.computeIfAbsent(e.group(), g -> new ArrayList<>()).add(e.key());
            }
        });
        return order;
    }

    /** @return per group, the distinct non-poison keys in send order: the order first effects must follow */
    Map<String, List<String>> expectedOrderByGroup() {
        Map<String, List<String>> order = new TreeMap<>();
        sendOrderByGroup.forEach((group, keys) -> {
            List<String> distinct;
            synchronized (keys) {
                distinct = keys.stream().distinct().filter(k -> applies(planOf(k))).toList();
            }
            if (!distinct.isEmpty()) {
                order.put(group, distinct);
            }
        });
        return order;
    }

    /**
     * @param effectCounts effects per key, as observed for the mode
     * @param retries retry outcomes the consumers reported
     * @return the counts, one per line, for the test's output
     */
    String summary(String title, Map<String, Integer> effectCounts, long retries) {
        Map<String, Object> lines = new LinkedHashMap<>();
        lines.put("sent", sent.size());
        lines.put("  producer duplicates", sent.stream().filter(Sent::producerDuplicate).count());
        lines.put("  distinct keys", sent.stream().map(Sent::key).distinct().count());
        lines.put("acknowledged by the function", acknowledged.size());
        lines.put("processed (keys with an effect)", effectCounts.size());
        lines.put("duplicates skipped (AlreadyCompleted)", duplicatesSkipped.get());
        lines.put("handler executions", executions.values().stream().mapToInt(AtomicInteger::get).sum());
        lines.put("transient failures injected", transientFailures.get());
        lines.put("retry outcomes (all reasons)", retries);
        lines.put("dead-lettered", deadLetterKinds.size());
        new TreeMap<>(deadLetterKinds.values().stream().collect(Collectors.groupingBy(k -> k, Collectors.counting())))
                .forEach((kind, n) -> lines.put("  " + kind, n));
        lines.put("dead letters without an envelope", deadLettersWithoutEnvelope.get());
        Map<String, Integer> behind = executionsBehindExhausted();
        lines.put("executions behind each EXHAUSTED dead letter", behind.isEmpty() ? "-" : behind.values().stream()
                .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting())).entrySet().stream()
                .map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining(", ")));
        lines.put("  failed runs a crash kept from the record", countsLostToCrash());
        lines.put("crashes after effect, before complete", crashesBeforeComplete.get());
        lines.put("crashes after complete, before delete", crashesAfterComplete.get());
        lines.put("crashed invocations", crashedInvocations.get());
        int doubles = effectCounts.values().stream().mapToInt(n -> n - 1).sum();
        int unexplained = unexplainedDoubles(effectCounts).values().stream().mapToInt(Integer::intValue).sum();
        lines.put("double effects", doubles);
        lines.put("  explained by a crash after the effect", doubles - unexplained);
        lines.put("  unexplained", unexplained);
        lines.put("lost (no effect and no DLQ, or no ack)", lost(effectCounts).size());
        StringBuilder out = new StringBuilder("=== ledger: " + title + " ===\n");
        lines.forEach((name, value) -> out.append(String.format("%-42s %s%n", name, value)));
        return out.toString();
    }
}
