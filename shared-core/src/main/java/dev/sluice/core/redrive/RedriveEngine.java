package dev.sluice.core.redrive;

import dev.sluice.core.observability.Tracing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Moves dead letters back to their queue, the same way on every provider: receive, filter, send a
 * copy (body unchanged, stable id kept, {@code sluice-redrive-count} incremented, failure attributes
 * dropped), then remove the original. A copy is sent before its original is removed, so a crash in
 * between yields a duplicate that idempotency recognises, never a loss. Dead letters that do not match
 * are released when the scan ends; every run writes an audit record.
 */
public final class RedriveEngine {
    /** Sleeps; injected so tests of the rate limit run instantly. */
    @FunctionalInterface
    public interface Sleeper {
        /** @param duration how long @throws InterruptedException if interrupted */
        void sleep(Duration duration) throws InterruptedException;
    }

    /** The kind a dead letter without a Sluice envelope is counted under. */
    public static final String UNKNOWN_KIND = "UNKNOWN";

    private static final int RECEIVE_BATCH = 10;

    private final Clock clock;
    private final Sleeper sleeper;
    private final AuditLog auditLog;

    /**
     * @param clock the clock
     * @param sleeper how to wait for the rate limit
     * @param auditLog where audit records go
     */
    public RedriveEngine(Clock clock, Sleeper sleeper, AuditLog auditLog) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.auditLog = Objects.requireNonNull(auditLog, "auditLog");
    }

    /**
     * @param auditLog where audit records go
     * @return an engine on the system clock that really sleeps
     */
    public static RedriveEngine withAuditLog(AuditLog auditLog) {
        return new RedriveEngine(Clock.systemUTC(), d -> Thread.sleep(d.toMillis()), auditLog);
    }

    /**
     * Runs one redrive. Interrupting the thread stops it after the current dead letter (the rest stay in
     * the queue, the interrupt flag stays set); a run that fails midway still writes its audit record.
     *
     * @param request what to move
     * @param source the dead-letter queue
     * @param target the queue to move back to
     * @param listener progress
     * @return what happened
     * @throws IllegalStateException when the request is not a dry run and was not confirmed
     */
    public RedriveReport run(RedriveRequest request, DeadLetterSource source, RedriveTarget target, RedriveListener listener) {
        if (!request.dryRun() && !request.confirmed()) {
            throw new IllegalStateException("a redrive needs explicit confirmation (or a dry run)");
        }
        Instant startedAt = clock.instant();
        List<DeadLetter> held = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int scanned = 0;
        int matched = 0;
        int moved = 0;
        int failed = 0;
        Map<String, Integer> byKind = new HashMap<>();
        try {
            scan:
            while (matched < request.maxMessages()) {
                List<DeadLetter> batch = source.receive(RECEIVE_BATCH);
                if (batch.isEmpty()) {
                    break;
                }
                boolean anyNew = false;
                boolean interrupted = false;
                for (DeadLetter deadLetter : batch) {
                    // an interrupt stops the redrive (pace() could no longer hold the rate): the rest is released
                    if (interrupted || Thread.currentThread().isInterrupted()) {
                        interrupted = true;
                        held.add(deadLetter);
                        continue;
                    }
                    if (!seen.add(deadLetter.providerMessageId())) {
                        // seen in this scan already (its hiding lapsed): leave it for the release at the end
                        held.add(deadLetter);
                        continue;
                    }
                    anyNew = true;
                    scanned++;
                    if (matched >= request.maxMessages() || !request.filter().matches(deadLetter, clock.instant())) {
                        held.add(deadLetter);
                    } else {
                        matched++;
                        byKind.merge(kindOf(deadLetter), 1, Integer::sum);
                        if (request.dryRun()) {
                            held.add(deadLetter);
                        } else if (move(deadLetter, source, target, request, startedAt, moved)) {
                            moved++;
                        } else {
                            failed++;
                            held.add(deadLetter);
                        }
                    }
                    listener.onProgress(new RedriveProgress(scanned, matched, moved, failed, request.maxMessages()));
                }
                if (!anyNew || interrupted) {
                    break scan;
                }
            }
        } catch (RuntimeException e) {
            // a run that fails midway still leaves a record of what it already moved
            try {
                auditLog.write(new AuditRecord(request.operator(), startedAt, clock.instant(), source.name(), target.name(),
                        request.filter().toJson(), request.dryRun(), matched, moved, failed, outcome(request)));
            } catch (RuntimeException auditFailure) {
                e.addSuppressed(auditFailure);
            }
            throw e;
        } finally {
            for (DeadLetter deadLetter : held) {
                try {
                    source.release(deadLetter);
                } catch (RuntimeException ignored) {
                    // it becomes visible again when its hiding lapses
                }
            }
        }
        AuditRecord audit = new AuditRecord(request.operator(), startedAt, clock.instant(), source.name(), target.name(),
                request.filter().toJson(), request.dryRun(), matched, moved, failed, outcome(request));
        auditLog.write(audit);
        return new RedriveReport(scanned, matched, moved, failed, request.dryRun(), audit, mostFrequentFirst(byKind));
    }

    /** The name a dead letter's failure kind is counted under: the kind, or {@code UNKNOWN} without an envelope. */
    static String kindOf(DeadLetter deadLetter) {
        return deadLetter.envelope().map(e -> e.failureKind().name()).orElse(UNKNOWN_KIND);
    }

    private static Map<String, Integer> mostFrequentFirst(Map<String, Integer> counts) {
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static AuditRecord.Outcome outcome(RedriveRequest request) {
        return request.dryRun() ? AuditRecord.Outcome.DRY_RUN : AuditRecord.Outcome.CONFIRMED;
    }

    private boolean move(DeadLetter deadLetter, DeadLetterSource source, RedriveTarget target, RedriveRequest request,
                         Instant startedAt, int movedSoFar) {
        pace(request, startedAt, movedSoFar);
        try {
            Map<String, String> attributes = new java.util.LinkedHashMap<>(deadLetter.redriveAttributes());
            // a redrive run inside a trace (e.g. a scheduled redrive function with a tracing layer) continues it
            Tracing.inject(attributes);
            target.send(deadLetter, deadLetter.body(), attributes);
        } catch (RuntimeException e) {
            return false;
        }
        try {
            source.remove(deadLetter);
        } catch (RuntimeException e) {
            // the copy is out; the original stays and a later redrive is caught by idempotency
            return true;
        }
        return true;
    }

    private void pace(RedriveRequest request, Instant startedAt, int movedSoFar) {
        if (request.ratePerSecond() <= 0) {
            return;
        }
        Instant slot = startedAt.plusNanos((long) (movedSoFar / request.ratePerSecond() * 1_000_000_000L));
        Duration wait = Duration.between(clock.instant(), slot);
        if (!wait.isNegative() && !wait.isZero()) {
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
