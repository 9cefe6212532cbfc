package dev.sluice.core.redrive;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a redrive did, who asked and when; written for every redrive, dry runs and declined plans included.
 *
 * @param operator who asked
 * @param startedAt when it started
 * @param finishedAt when it finished
 * @param source the dead-letter queue
 * @param target the queue messages went back to
 * @param filter the filter's criteria (see {@link RedriveFilter#toJson()}); empty when it selected everything
 * @param dryRun whether nothing was to be moved
 * @param matched dead letters selected
 * @param moved dead letters moved
 * @param failed dead letters that could not be moved
 * @param outcome a dry run, a plan the operator declined, or a confirmed run
 */
public record AuditRecord(String operator, Instant startedAt, Instant finishedAt, String source, String target,
                          Map<String, Object> filter, boolean dryRun, int matched, int moved, int failed, Outcome outcome) {
    /** How a redrive ended, as far as the operator's decision goes. */
    public enum Outcome {
        /** Counted only: nothing was to move. */
        DRY_RUN,
        /** The operator saw the plan and declined it: nothing moved. */
        DECLINED,
        /** The operator confirmed (prompt or {@code --yes}); {@code moved} and {@code failed} say what happened. */
        CONFIRMED;

        /** @return the name in the audit file: {@code dry_run}, {@code declined}, {@code confirmed} */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Validates and copies, keeping the filter's order. */
    public AuditRecord {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        filter = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(filter, "filter")));
        Objects.requireNonNull(outcome, "outcome");
    }

    /**
     * @param at when the operator declined
     * @return this plan's record as declined: nothing moved, not a dry run
     */
    public AuditRecord declined(Instant at) {
        return new AuditRecord(operator, startedAt, at, source, target, filter, false, matched, 0, 0, Outcome.DECLINED);
    }
}
