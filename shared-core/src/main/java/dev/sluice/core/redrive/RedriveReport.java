package dev.sluice.core.redrive;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a redrive.
 *
 * @param scanned dead letters looked at
 * @param matched dead letters the filter selected
 * @param moved dead letters moved back (0 in a dry run)
 * @param failed dead letters that could not be moved and stay in the queue
 * @param dryRun whether nothing was moved
 * @param audit the audit record written
 * @param matchedByKind the selected dead letters by failure kind ({@code UNKNOWN} for those without a Sluice
 *     envelope), most frequent first
 */
public record RedriveReport(int scanned, int matched, int moved, int failed, boolean dryRun, AuditRecord audit,
                            Map<String, Integer> matchedByKind) {
    /** Copies the breakdown, keeping its order. */
    public RedriveReport {
        matchedByKind = Collections.unmodifiableMap(new LinkedHashMap<>(matchedByKind));
    }
}
