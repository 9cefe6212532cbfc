package dev.sluice.core.pipeline;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** How long to wait before attempt {@code n + 1} after attempt {@code n} failed. */
@FunctionalInterface
public interface BackoffStrategy {
    /**
     * @param attempt the attempt that just failed, starting at 1
     * @param random the injected randomness
     * @return the delay before the next attempt, never negative
     */
    Duration delay(int attempt, RandomGenerator random);

    /**
     * @param delay the same delay every time
     * @return a fixed backoff
     */
    static BackoffStrategy fixed(Duration delay) {
        requirePositiveOrZero(delay, "delay");
        return (attempt, random) -> delay;
    }

    /**
     * "Full jitter": a uniformly random delay between zero and {@code min(cap, base * 2^(attempt-1))},
     * which spreads retries of a failed batch instead of synchronising them.
     *
     * @param base the delay ceiling after the first failure
     * @param cap the largest ceiling
     * @return the strategy
     */
    static BackoffStrategy exponentialWithFullJitter(Duration base, Duration cap) {
        requirePositiveOrZero(base, "base");
        requirePositiveOrZero(cap, "cap");
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap (" + cap + ") must not be below base (" + base + ")");
        }
        long baseMs = base.toMillis();
        long capMs = cap.toMillis();
        return (attempt, random) -> {
            int exponent = Math.max(0, Math.min(attempt - 1, 62));
            long ceiling = baseMs == 0 ? 0 : (exponent >= Long.numberOfLeadingZeros(baseMs) - 1
                    ? capMs : Math.min(capMs, baseMs << exponent));
            return Duration.ofMillis(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
        };
    }

    private static void requirePositiveOrZero(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + d);
        }
    }
}
