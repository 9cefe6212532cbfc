package dev.sluice.core.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link IdempotencyStore#release} writes on the record it still holds: absolute values computed by
 * {@link RecordStateMachine}, never increments, so a store applies them with one conditional write.
 *
 * @param failures the count of failed executions the record keeps
 * @param firstFailureAt when the first of them failed, or null when none did
 * @param leaseExpiresAt the lease's new end: the release time frees the key at once; the lease's own end keeps
 *     it held (a handler that timed out may still be running)
 */
public record Release(int failures, @Nullable Instant firstFailureAt, Instant leaseExpiresAt) {
    /** Validates the components. */
    public Release {
        Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
        if (failures < 0) {
            throw new IllegalArgumentException("failures must not be negative");
        }
        if ((failures == 0) != (firstFailureAt == null)) {
            throw new IllegalArgumentException("firstFailureAt is set exactly when failures > 0");
        }
    }
}
