package dev.sluice.core.pipeline;

import dev.sluice.core.RetryLaterException;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How one message of a batch ended. Every message gets exactly one outcome; adapters turn outcomes
 * into provider actions.
 */
public sealed interface MessageOutcome
        permits MessageOutcome.Processed, MessageOutcome.Duplicate, MessageOutcome.Retry, MessageOutcome.DeadLettered {

    /** @return the message this outcome is for */
    IncomingMessage message();

    /**
     * The handler ran and returned normally; the message is done.
     *
     * @param message the message
     */
    record Processed(IncomingMessage message) implements MessageOutcome {
        /** @param message the message */
        public Processed {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Idempotency says the message was already handled; the handler did not run; the message is done.
     *
     * @param message the message
     */
    record Duplicate(IncomingMessage message) implements MessageOutcome {
        /** @param message the message */
        public Duplicate {
            Objects.requireNonNull(message, "message");
        }
    }

    /** Why a message is returned for another try. */
    enum RetryReason {
        /** The handler (or a store it needs) failed with a retryable error. */
        FAILED,
        /** The handler ran past its time limit. */
        TIMED_OUT,
        /**
         * The handler asked to be retried after a delay of its choosing ({@link RetryLaterException}); the
         * outcome's delay is the one requested.
         */
        RETRY_LATER,
        /** Another consumer holds a live lease on the same idempotency key. */
        IN_PROGRESS,
        /** Not started: too little invocation time left. */
        TIME_BUDGET,
        /** Not started: the batch's circuit breaker is open. */
        CIRCUIT_OPEN,
        /** Not started: an earlier message of the same group did not succeed. */
        GROUP_BLOCKED;

        /** @return whether the handler was executed for this try */
        public boolean started() {
            return this == FAILED || this == TIMED_OUT || this == RETRY_LATER;
        }
    }

    /**
     * The message must come back after {@code delay}.
     *
     * @param message the message
     * @param delay how long to wait before the next try
     * @param attemptsUsed attempts used so far, to carry into a re-published copy
     * @param reason why
     * @param firstFailureAt when the message first failed, if it did
     */
    record Retry(IncomingMessage message, Duration delay, int attemptsUsed, RetryReason reason,
                 @Nullable Instant firstFailureAt) implements MessageOutcome {
        /** Validates the components. */
        public Retry {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(reason, "reason");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative");
            }
        }

        /** @return when the message first failed, if it did */
        public Optional<Instant> firstFailure() {
            return Optional.ofNullable(firstFailureAt);
        }
    }

    /**
     * The message goes to the dead-letter queue (or parking queue) with {@code envelope}.
     *
     * @param message the message
     * @param envelope the dead-letter attributes
     */
    record DeadLettered(IncomingMessage message, DeadLetterEnvelope envelope) implements MessageOutcome {
        /** Validates the components. */
        public DeadLettered {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(envelope, "envelope");
        }

        /** @return the failure kind */
        public FailureKind kind() {
            return envelope.failureKind();
        }

        /** @return the redacted reason */
        public String reason() {
            return envelope.errorMessage();
        }
    }
}
