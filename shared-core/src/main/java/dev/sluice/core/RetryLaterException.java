package dev.sluice.core;

import dev.sluice.core.pipeline.FailureKind;
import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a handler to say when the message should be tried again, e.g. after a 429 with
 * {@code Retry-After}. The message comes back after {@link #delay()} instead of the retry policy's
 * backoff, up to the provider's limit (12 hours on SQS, the visibility timeout's maximum; Service Bus
 * schedules the copy at now + delay). It still counts as an attempt: when the attempts run out the
 * message is dead-lettered {@link FailureKind#EXHAUSTED} like any retryable failure. It is never
 * classified permanent and does not count towards the circuit breaker (the downstream answered).
 * Wrapped as a cause it is found as well, unless an outer exception was classified first.
 */
public class RetryLaterException extends SluiceException {
    private static final long serialVersionUID = 1L;

    private final Duration delay;

    /** @param delay how long to wait before the next try, not negative */
    public RetryLaterException(Duration delay) {
        this("retry requested after " + Objects.requireNonNull(delay, "delay"), delay);
    }

    /**
     * @param message why the message must wait
     * @param delay how long to wait before the next try, not negative
     */
    public RetryLaterException(String message, Duration delay) {
        super(message);
        this.delay = requireNotNegative(delay);
    }

    /**
     * @param message why the message must wait
     * @param delay how long to wait before the next try, not negative
     * @param cause the underlying failure (e.g. the client's 429 exception)
     */
    public RetryLaterException(String message, Duration delay, Throwable cause) {
        super(message, cause);
        this.delay = requireNotNegative(delay);
    }

    /** @return how long to wait before the next try */
    public Duration delay() {
        return delay;
    }

    private static Duration requireNotNegative(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        return delay;
    }
}
