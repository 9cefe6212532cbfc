package dev.sluice.core.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * What {@link IdempotencyStore#begin} needs.
 *
 * @param key the idempotency key
 * @param fingerprint SHA-256 (hex) of the payload
 * @param now the current time (stores never read a clock)
 * @param leaseExpiresAt when an {@code IN_PROGRESS} claim lapses
 * @param expiresAt when the record expires (TTL)
 */
public record BeginRequest(String key, String fingerprint, Instant now, Instant leaseExpiresAt, Instant expiresAt) {
    /** Validates the components. */
    public BeginRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseExpiresAt, "leaseExpiresAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!leaseExpiresAt.isAfter(now)) {
            throw new IllegalArgumentException("leaseExpiresAt must be after now");
        }
        if (expiresAt.isBefore(leaseExpiresAt)) {
            throw new IllegalArgumentException("expiresAt must not be before leaseExpiresAt");
        }
    }
}
