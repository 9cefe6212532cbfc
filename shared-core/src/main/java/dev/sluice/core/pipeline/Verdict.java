package dev.sluice.core.pipeline;

import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the stages found for one message. Only {@link OutcomeStage} turns a verdict into a
 * {@link MessageOutcome}: it classifies, computes the backoff and builds the envelope.
 */
sealed interface Verdict {
    /** Not started; comes back after a delay that is already known (time budget, open breaker, blocked group). */
    record NotStarted(RetryReason reason, Duration delay) implements Verdict {}

    /** Not started: the idempotency store failed before the handler could run; back after the backoff. */
    record StoreUnavailable(int attempt) implements Verdict {}

    /** Not started: a twin holds a live lease on the key. */
    record TwinInProgress(int attempt, Duration untilLapse, Duration lease) implements Verdict {}

    /** The idempotency record says the message was already handled. */
    record AlreadyDone() implements Verdict {}

    /** The message can never succeed as it is (bad signature, poison, idempotency mismatch, attempts used up). */
    record Rejected(FailureKind kind, String errorType, @Nullable String reason, String fingerprint, int attempt,
                    @Nullable Instant recordedFirstFailure) implements Verdict {}

    /** The handler ran and returned ({@code failure} null) or threw. */
    record Ran(int attempt, @Nullable Throwable failure, @Nullable Instant recordedFirstFailure) implements Verdict {}

    /** The handler ran past its time limit (it may still be running). */
    record TimedOut(int attempt, @Nullable Instant recordedFirstFailure) implements Verdict {}

    /** The handler succeeded but its transaction could not commit, so nothing was applied. */
    record CommitFailed(int attempt, Throwable error, @Nullable Instant recordedFirstFailure) implements Verdict {}

    /** A pipeline bug or a broken dependency outside the handler. */
    record Crashed(Throwable error) implements Verdict {}
}
