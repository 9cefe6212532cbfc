package dev.sluice.core.archive;

import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.RedriveEngine;
import dev.sluice.core.redrive.RedriveFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Selects the dead letters a plan names: scans the whole source as a redrive dry run does (receive in batches, each
 * dead letter counted once even when its hiding lapses, every one released at the end), so every dead letter stays in
 * the queue. A redrive dry run reports counts only, not which dead letters it selected, hence this scan of its own.
 *
 * @param scanned dead letters looked at
 * @param selected the selected dead letters, in the order they were received
 */
public record ArchiveSelection(int scanned, List<ArchivePlan.PlannedMessage> selected) {
    private static final int RECEIVE_BATCH = 10;

    /** Copies. */
    public ArchiveSelection {
        selected = List.copyOf(selected);
    }

    /**
     * @param source the dead-letter queue
     * @param filter which dead letters
     * @param max the most to select
     * @param now the current time, for the filter's ages
     * @return what was selected; every dead letter received was released
     */
    public static ArchiveSelection select(DeadLetterSource source, RedriveFilter filter, int max, java.time.Instant now) {
        List<DeadLetter> held = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<ArchivePlan.PlannedMessage> selected = new ArrayList<>();
        int scanned = 0;
        try {
            while (selected.size() < max) {
                List<DeadLetter> batch = source.receive(RECEIVE_BATCH);
                if (batch.isEmpty()) {
                    break;
                }
                held.addAll(batch);
                boolean anyNew = false;
                for (DeadLetter d : batch) {
                    if (!seen.add(d.providerMessageId())) {
                        continue;
                    }
                    anyNew = true;
                    scanned++;
                    if (selected.size() < max && filter.matches(d, now)) {
                        selected.add(planned(d));
                    }
                }
                if (!anyNew) {
                    break;
                }
            }
        } finally {
            ArchiveRun.releaseAll(source, held);
        }
        return new ArchiveSelection(scanned, selected);
    }

    /** @param d a dead letter @return it as a plan names it */
    public static ArchivePlan.PlannedMessage planned(DeadLetter d) {
        return new ArchivePlan.PlannedMessage(d.providerMessageId(), d.originalMessageId(), kindOf(d));
    }

    /** @param d a dead letter @return its failure kind, {@code UNKNOWN} without a Sluice envelope */
    public static String kindOf(DeadLetter d) {
        return d.envelope().map(e -> e.failureKind().name()).orElse(RedriveEngine.UNKNOWN_KIND);
    }
}
