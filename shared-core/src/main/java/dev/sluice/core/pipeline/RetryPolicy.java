package dev.sluice.core.pipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a retryable failure is tried and how long to wait in between.
 *
 * @param maxAttempts executions allowed in total (the first one included), at least 1
 * @param backoff the delay before each next attempt
 */
public record RetryPolicy(int maxAttempts, BackoffStrategy backoff) {
    /** Validates the components. */
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * @param maxAttempts executions allowed in total
     * @param base backoff base
     * @param cap backoff cap
     * @return exponential backoff with full jitter
     */
    public static RetryPolicy exponential(int maxAttempts, Duration base, Duration cap) {
        return new RetryPolicy(maxAttempts, BackoffStrategy.exponentialWithFullJitter(base, cap));
    }

    /** @return 3 attempts, 1 s base, 5 min cap */
    public static RetryPolicy defaults() {
        return exponential(3, Duration.ofSeconds(1), Duration.ofMinutes(5));
    }
}
