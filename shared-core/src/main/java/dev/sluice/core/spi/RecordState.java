package dev.sluice.core.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An idempotency record as {@link RecordStateMachine} sees it, whatever the store's layout.
 *
 * @param fingerprint the payload fingerprint, or null when the record holds none Sluice can compare (e.g. a
 *     record written by Powertools for AWS Lambda): such a record is never a mismatch
 * @param status in progress or completed
 * @param leaseExpiresAt when an in-progress claim lapses, or null when the record has no lease (held until it
 *     expires)
 * @param expiresAt when the record expires (TTL)
 * @param failures how many executions failed and were released
 * @param firstFailureAt when the first of them failed, or null when none did
 */
public record RecordState(@Nullable String fingerprint, Status status, @Nullable Instant leaseExpiresAt, Instant expiresAt,
                          int failures, @Nullable Instant firstFailureAt) {
    /** Record status. */
    public enum Status {
        /** Claimed by a lease, or released after a failure (its lease then ended at the release). */
        IN_PROGRESS,
        /** The handler's effect is done. */
        COMPLETED
    }

    /** Validates the components; a count without a time (or the reverse) is read as no failures. */
    public RecordState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (failures <= 0 || firstFailureAt == null) {
            failures = 0;
            firstFailureAt = null;
        }
    }

    /**
     * @param now the current time
     * @return whether the record has expired and counts as absent
     */
    public boolean expired(Instant now) {
        return !expiresAt.isAfter(now);
    }

    /**
     * @param now the current time
     * @return whether an in-progress record's lease has lapsed (or was released)
     */
    public boolean leaseLapsed(Instant now) {
        return status == Status.IN_PROGRESS && leaseExpiresAt != null && !leaseExpiresAt.isAfter(now);
    }
}
