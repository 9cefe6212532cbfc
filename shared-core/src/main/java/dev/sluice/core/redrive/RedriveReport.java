package dev.sluice.core.redrive;

/**
 * The result of a redrive.
 *
 * @param scanned dead letters looked at
 * @param matched dead letters the filter selected
 * @param moved dead letters moved back (0 in a dry run)
 * @param failed dead letters that could not be moved and stay in the queue
 * @param dryRun whether nothing was moved
 * @param audit the audit record written
 */
public record RedriveReport(int scanned, int matched, int moved, int failed, boolean dryRun, AuditRecord audit) {}
