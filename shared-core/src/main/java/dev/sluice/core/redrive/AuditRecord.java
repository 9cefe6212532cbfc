package dev.sluice.core.redrive;

import java.time.Instant;

/**
 * What a redrive did, who asked and when; written for every redrive, dry runs included.
 *
 * @param operator who asked
 * @param startedAt when it started
 * @param finishedAt when it finished
 * @param source the dead-letter queue
 * @param target the queue messages went back to
 * @param filter the filter, as text
 * @param dryRun whether nothing was moved
 * @param matched dead letters selected
 * @param moved dead letters moved
 * @param failed dead letters that could not be moved
 */
public record AuditRecord(String operator, Instant startedAt, Instant finishedAt, String source, String target, String filter,
                          boolean dryRun, int matched, int moved, int failed) {}
