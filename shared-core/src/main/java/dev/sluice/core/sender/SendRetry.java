package dev.sluice.core.sender;

import dev.sluice.core.pipeline.BackoffStrategy;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How a sender retries what failed for a reason not the message's own (throttling, a service error, a lost
 * connection): attempts per message, the first included, and the pause before each retry.
 *
 * @param maxAttempts attempts per message, at least 1
 * @param backoff the pause before retry {@code n} (n counts from 1)
 * @param random the jitter's source
 */
public record SendRetry(int maxAttempts, BackoffStrategy backoff, RandomGenerator random) {
    /** Validates. */
    public SendRetry {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(random, "random");
    }

    /** @return 3 attempts, exponential backoff with full jitter from 100 ms up to 2 s */
    public static SendRetry defaults() {
        return new SendRetry(3, BackoffStrategy.exponentialWithFullJitter(Duration.ofMillis(100), Duration.ofSeconds(2)),
                RandomGenerator.getDefault());
    }

    /**
     * @param maxAttempts attempts per message
     * @return that many attempts without a pause (tests)
     */
    public static SendRetry immediate(int maxAttempts) {
        return new SendRetry(maxAttempts, BackoffStrategy.fixed(Duration.ZERO), RandomGenerator.getDefault());
    }

    /**
     * @param attempt the attempt that just failed
     * @return whether another may follow
     */
    public boolean allowsAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /**
     * Sleeps the backoff before the retry after {@code attempt}; an interrupt ends the pause early and is kept.
     *
     * @param attempt the attempt that just failed
     */
    public void pauseAfter(int attempt) {
        try {
            Thread.sleep(backoff.delay(attempt, random));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
