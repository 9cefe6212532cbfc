package dev.sluice.tests.azure;

import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.SluiceAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * What the chaos test knows independently of the system under test: what it sent (order keys, sessions,
 * kinds, producer duplicates), which crashes it planned and fired, which handler runs and effects it
 * observed, and what it found parked or dead-lettered at the end. Thread-safe: handlers and the store
 * decorator report into it from the pipeline's virtual threads.
 */
final class ChaosLedger {
    enum Kind { CLEAN, TRANSIENT, POISON, FAILING }

    /** A crash of the worker process after the handler's side effect and before the host completes the batch. */
    enum Crash {
        /** before the idempotency record is completed */
        BEFORE_COMPLETE,
        /** after the idempotency record is completed */
        AFTER_COMPLETE
    }

    record Sent(String key, String messageId, String session, int indexInSession, Kind kind, int copies, String body) {}

    static final String MESSAGE_ID_PREFIX = "msg-";

    final Map<String, Sent> sent = new LinkedHashMap<>();
    private final Map<String, Crash> plannedCrashes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> transientFailuresLeft = new ConcurrentHashMap<>();
    final Map<Crash, AtomicInteger> crashesFired = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> lostCompletions = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> handlerRuns = new ConcurrentHashMap<>();
    // keys whose last handler run has not reached a release yet, and runs whose failure count a crash lost
    private final Set<String> runsAwaitingRelease = ConcurrentHashMap.newKeySet();
    final Map<String, AtomicInteger> countsLostToCrash = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    /** Per session: order keys in the order of their first effect. */
    final Map<String, List<String>> firstEffectOrder = new ConcurrentHashMap<>();
    final AtomicLong runSequence = new AtomicLong();
    final AtomicInteger transientFailures = new AtomicInteger();
    final AtomicInteger processed = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger retried = new AtomicInteger();
    final AtomicInteger deadLetteredOutcomes = new AtomicInteger();
    /** Per key: the failure kinds of its parked copies. */
    final Map<String, List<String>> parked = new TreeMap<>();
    /** Per key: Service Bus's dead-letter reasons. */
    final Map<String, List<String>> brokerDeadLettered = new TreeMap<>();

    /**
     * Plans {@code count} orders over sessions of about {@code perSession} each: 1 % poison, 5 % transient
     * failures (one or two), 0.5 % failing every run (parked EXHAUSTED; sent once), 10 % sent twice by the
     * producer, 2 % of the decodable ones crashing the worker once (half before, half after the idempotency
     * record is completed).
     */
    static ChaosLedger plan(int count, int perSession, long seed) {
        ChaosLedger ledger = new ChaosLedger();
        SplittableRandom random = new SplittableRandom(seed);
        int sessions = Math.max(1, count / perSession);
        for (int i = 0; i < count; i++) {
            String key = "o-%05d".formatted(i);
            double r = random.nextDouble();
            Kind kind = r < 0.01 ? Kind.POISON : r < 0.06 ? Kind.TRANSIENT : r < 0.065 ? Kind.FAILING : Kind.CLEAN;
            // an always-failing order is sent once, so its record counts one message's runs
            int copies = random.nextDouble() < 0.10 && kind != Kind.FAILING ? 2 : 1;
            String body = kind == Kind.POISON
                    ? "{\"orderId\":\"" + key + "\",\"amountCents\":"
                    : "{\"orderId\":\"" + key + "\",\"customerId\":\"c-" + (i % 97) + "\",\"amountCents\":" + (100 + i)
                            + ",\"currency\":\"EUR\"}";
            ledger.sent.put(key, new Sent(key, MESSAGE_ID_PREFIX + key, "s-" + (i % sessions), i / sessions, kind, copies, body));
            if (kind == Kind.TRANSIENT) {
                ledger.transientFailuresLeft.put(key, new AtomicInteger(1 + random.nextInt(2)));
            }
            if (kind != Kind.POISON && random.nextDouble() < 0.02) {
                ledger.plannedCrashes.put(key, random.nextBoolean() ? Crash.BEFORE_COMPLETE : Crash.AFTER_COMPLETE);
            }
        }
        return ledger;
    }

    /** The producer's sends, duplicates right after their original (a producer retrying a send). */
    List<OutgoingMessage> messagesToSend() {
        List<OutgoingMessage> messages = new ArrayList<>();
        for (Sent s : sent.values()) {
            for (int copy = 0; copy < s.copies(); copy++) {
                messages.add(CrashingHost.message(s.messageId(), s.body(), s.session()));
            }
        }
        return messages;
    }

    /** @return the crash planned for this key, once: the worker crashes at most once per message */
    Crash takeCrash(String key) {
        Crash crash = plannedCrashes.remove(key);
        if (crash != null) {
            crashesFired.computeIfAbsent(crash, k -> new AtomicInteger()).incrementAndGet();
        }
        return crash;
    }

    void completionLost(String key) {
        counter(lostCompletions, key).incrementAndGet();
    }

    /** Counts a handler run. @return whether this run must fail transiently (before any effect) */
    boolean handlerRanAndFails(String key) {
        counter(handlerRuns, key).incrementAndGet();
        runsAwaitingRelease.add(key);
        if (sent.get(key).kind() == Kind.FAILING) {
            return true;
        }
        AtomicInteger left = transientFailuresLeft.get(key);
        if (left != null && left.getAndDecrement() > 0) {
            transientFailures.incrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * The pipeline released {@code key}'s lease after a failed run.
     *
     * @param reachedStore false when the worker had crashed, so the record never counted the run
     */
    void released(String key, boolean reachedStore) {
        if (runsAwaitingRelease.remove(key) && !reachedStore) {
            counter(countsLostToCrash, key).incrementAndGet();
        }
    }

    /**
     * @return per key parked {@code EXHAUSTED}, the handler executions behind it: runs the ledger saw, less runs whose
     *     failure a crash kept from the record (the worker died between the run and its release)
     */
    Map<String, Integer> executionsBehindExhausted() {
        Map<String, Integer> behind = new TreeMap<>();
        parked.forEach((key, kinds) -> {
            if (kinds.contains("EXHAUSTED")) {
                AtomicInteger runs = handlerRuns.get(key);
                AtomicInteger lost = countsLostToCrash.get(key);
                behind.put(key, (runs == null ? 0 : runs.get()) - (lost == null ? 0 : lost.get()));
            }
        });
        return behind;
    }

    void effect(String key, String session) {
        if (counter(effects, key).incrementAndGet() == 1) {
            firstEffectOrder.computeIfAbsent(session, k -> Collections.synchronizedList(new ArrayList<>())).add(key);
        }
    }

    void outcomes(List<MessageOutcome> outcomes) {
        for (MessageOutcome outcome : outcomes) {
            switch (outcome) {
                case MessageOutcome.Processed p -> processed.incrementAndGet();
                case MessageOutcome.Duplicate d -> duplicates.incrementAndGet();
                case MessageOutcome.Retry r -> retried.incrementAndGet();
                case MessageOutcome.DeadLettered d -> deadLetteredOutcomes.incrementAndGet();
            }
        }
    }

    /** Reads the end state: the parking queue's copies and Service Bus's own dead letters. */
    void collectEnd(InMemoryServiceBus broker, String queue, String parkingQueue) {
        for (InMemoryServiceBus.Stored s : broker.messages(parkingQueue)) {
            String original = s.properties().getOrDefault(SluiceAttributes.ORIGINAL_MESSAGE_ID, s.message().messageId());
            parked.computeIfAbsent(keyOf(original), k -> new ArrayList<>())
                    .add(s.properties().getOrDefault(SluiceAttributes.FAILURE_KIND, "(no kind)"));
        }
        for (InMemoryServiceBus.Stored s : broker.deadLetters(queue)) {
            String original = s.properties().getOrDefault(SluiceAttributes.ORIGINAL_MESSAGE_ID, s.message().messageId());
            brokerDeadLettered.computeIfAbsent(keyOf(original), k -> new ArrayList<>())
                    .add(s.properties().getOrDefault("DeadLetterReason", "(no reason)"));
        }
    }

    /**
     * Reads the end state from messages received off the parking queue and the dead-letter sub-queue (a real broker).
     *
     * @param parkedMessages the parking queue's messages
     * @param deadLettered the queue's dead-letter sub-queue's messages
     */
    void collectEnd(List<ReceivedMessage> parkedMessages, List<ReceivedMessage> deadLettered) {
        for (ReceivedMessage m : parkedMessages) {
            String original = m.applicationProperties().getOrDefault(SluiceAttributes.ORIGINAL_MESSAGE_ID, m.messageId());
            parked.computeIfAbsent(keyOf(original), k -> new ArrayList<>())
                    .add(m.applicationProperties().getOrDefault(SluiceAttributes.FAILURE_KIND, "(no kind)"));
        }
        for (ReceivedMessage m : deadLettered) {
            String original = m.applicationProperties().getOrDefault(SluiceAttributes.ORIGINAL_MESSAGE_ID, m.messageId());
            brokerDeadLettered.computeIfAbsent(keyOf(original), k -> new ArrayList<>())
                    .add(m.applicationProperties().getOrDefault("DeadLetterReason", "(no reason)"));
        }
    }

    static String keyOf(String messageId) {
        return messageId.startsWith(MESSAGE_ID_PREFIX) ? messageId.substring(MESSAGE_ID_PREFIX.length()) : messageId;
    }

    int effectsOf(String key) {
        AtomicInteger n = effects.get(key);
        return n == null ? 0 : n.get();
    }

    int lostCompletionsOf(String key) {
        AtomicInteger n = lostCompletions.get(key);
        return n == null ? 0 : n.get();
    }

    /** @return keys with more effects than one, each explained by a crash that lost its completion */
    Set<String> explainedDoubleEffects() {
        Set<String> keys = new java.util.TreeSet<>();
        effects.forEach((key, n) -> {
            if (n.get() > 1 && n.get() <= 1 + lostCompletionsOf(key)) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** @return keys with more effects than the crashes that hit them can explain */
    Map<String, String> unexplainedDoubleEffects() {
        Map<String, String> keys = new TreeMap<>();
        effects.forEach((key, n) -> {
            if (n.get() > 1 + lostCompletionsOf(key)) {
                keys.put(key, n.get() + " effects, " + lostCompletionsOf(key) + " completions lost to crashes");
            }
        });
        return keys;
    }

    /** @return keys neither applied nor parked nor dead-lettered */
    List<String> lost() {
        return sent.keySet().stream()
                .filter(k -> effectsOf(k) == 0 && !parked.containsKey(k) && !brokerDeadLettered.containsKey(k))
                .toList();
    }

    /** @return per session, the first effects that came before an order sent earlier */
    Map<String, List<String>> orderViolations() {
        Map<String, List<String>> violations = new TreeMap<>();
        firstEffectOrder.forEach((session, keys) -> {
            int last = -1;
            for (String key : List.copyOf(keys)) {
                int index = sent.get(key).indexInSession();
                if (index < last) {
                    violations.computeIfAbsent(session, k -> new ArrayList<>()).add(key + " after a later order");
                }
                last = Math.max(last, index);
            }
        });
        return violations;
    }

    long count(Kind kind) {
        return sent.values().stream().filter(s -> s.kind() == kind).count();
    }

    String report(String title, int invocations, int crashedInvocations) {
        Map<String, Long> parkedByKind = new TreeMap<>();
        parked.values().forEach(kinds -> kinds.forEach(k -> parkedByKind.merge(k, 1L, Long::sum)));
        long brokerDlq = brokerDeadLettered.values().stream().mapToLong(List::size).sum();
        long doubles = effects.values().stream().filter(n -> n.get() > 1).count();
        long applied = sent.keySet().stream().filter(k -> effectsOf(k) > 0).count();
        return String.join("\n",
                "=== " + title + " ===",
                "sent: " + sent.size() + " orders (" + count(Kind.CLEAN) + " clean, " + count(Kind.TRANSIENT) + " transient, "
                        + count(Kind.FAILING) + " failing every run, " + count(Kind.POISON) + " poison), "
                        + sent.values().stream().filter(s -> s.copies() > 1).count() + " producer duplicates, "
                        + sent.values().stream().mapToInt(Sent::copies).sum() + " messages in "
                        + sent.values().stream().map(Sent::session).distinct().count() + " sessions",
                "invocations: " + invocations + " (" + crashedInvocations + " died in a crash)",
                "outcomes of completed invocations: processed " + processed + ", duplicates skipped " + duplicates
                        + ", retried " + retried + ", dead-lettered " + deadLetteredOutcomes,
                "handler runs: " + handlerRuns.values().stream().mapToInt(AtomicInteger::get).sum()
                        + " (" + transientFailures + " injected transient failures)",
                "crashes: " + crashesFired.getOrDefault(Crash.BEFORE_COMPLETE, new AtomicInteger()) + " before complete, "
                        + crashesFired.getOrDefault(Crash.AFTER_COMPLETE, new AtomicInteger()) + " after complete; "
                        + lostCompletions.values().stream().mapToInt(AtomicInteger::get).sum() + " completions lost",
                "orders applied: " + applied + "; parked by kind: " + parkedByKind + "; dead-lettered by the broker: " + brokerDlq,
                "double effects: " + doubles + " (" + explainedDoubleEffects().size() + " explained by a crash, "
                        + unexplainedDoubleEffects().size() + " unexplained)",
                "executions behind each EXHAUSTED dead letter: " + executionsBehindExhausted().values().stream()
                        .collect(Collectors.groupingBy(n -> n, TreeMap::new, Collectors.counting())).entrySet().stream()
                        .map(e -> e.getValue() + " x " + e.getKey()).collect(Collectors.joining(", "))
                        + " (failed runs a crash kept from the record: "
                        + countsLostToCrash.values().stream().mapToInt(AtomicInteger::get).sum() + ")",
                "lost: " + lost().size() + "; session order violations: " + orderViolations().size());
    }

    private static AtomicInteger counter(Map<String, AtomicInteger> map, String key) {
        return map.computeIfAbsent(key, k -> new AtomicInteger());
    }
}
