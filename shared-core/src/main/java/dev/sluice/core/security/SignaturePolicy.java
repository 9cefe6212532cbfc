package dev.sluice.core.security;

import java.time.Duration;
import java.util.Objects;

/**
 * What a consumer accepts besides a matching MAC: how old a signed message may be, how far its sent-at may
 * lie in the future, and whether body-only signatures (the form before 1) are still accepted during a
 * migration.
 *
 * @param maxAge the oldest signed sent-at accepted; must stay below the idempotency TTL by at least
 *     {@code clockSkew}, or a replay could outlive the record that makes it a duplicate
 * @param clockSkew how far in the future a sent-at may lie (producer clocks run ahead)
 * @param acceptBodyOnly whether a body-only signature is accepted (migration only: it protects neither the
 *     attributes nor against replays)
 */
public record SignaturePolicy(Duration maxAge, Duration clockSkew, boolean acceptBodyOnly) {
    /** The clock skew allowed unless configured. */
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofMinutes(5);
    /** The idempotency TTL Sluice uses unless configured (21 days). */
    public static final Duration DEFAULT_TTL = Duration.ofDays(21);

    public SignaturePolicy {
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(clockSkew, "clockSkew");
        if (maxAge.isNegative() || maxAge.isZero() || clockSkew.isNegative()) {
            throw new IllegalArgumentException("maxAge must be positive and clockSkew not negative");
        }
    }

    /**
     * @param idempotencyTtl how long idempotency records live
     * @return the default: body-only signatures refused, a clock skew of {@link #DEFAULT_CLOCK_SKEW}, and a
     *     maximum age of the TTL minus that skew, the longest that keeps every accepted replay within its record's
     *     life
     */
    public static SignaturePolicy forTtl(Duration idempotencyTtl) {
        return new SignaturePolicy(idempotencyTtl.minus(DEFAULT_CLOCK_SKEW), DEFAULT_CLOCK_SKEW, false);
    }
}
