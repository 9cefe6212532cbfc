package dev.sluice.core.pipeline;

import dev.sluice.core.internal.ErrorFingerprint;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Duplicate;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.spi.LogSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Last stage, and the only place a {@link Retry} or {@link DeadLettered} is made: classification of
 * handler failures, backoff, and the dead-letter envelope.
 */
final class OutcomeStage {
    private static final Duration MIN_TWIN_WAIT = Duration.ofSeconds(1);

    private final RetryPolicy retryPolicy;
    private final FailureClassifier classifier;
    private final RandomGenerator random;
    private final Clock clock;
    private final Telemetry telemetry;

    OutcomeStage(RetryPolicy retryPolicy, FailureClassifier classifier, RandomGenerator random, Clock clock,
                 Telemetry telemetry) {
        this.retryPolicy = retryPolicy;
        this.classifier = classifier;
        this.random = random;
        this.clock = clock;
        this.telemetry = telemetry;
    }

    /** @return whether {@code attempt} was the last one the policy allows */
    boolean exhausted(int attempt) {
        return attempt >= retryPolicy.maxAttempts();
    }

    /** @return whether retrying a handler failure cannot help */
    boolean isPermanent(Throwable failure) {
        return classifier.isPermanent(failure);
    }

    /** @return whether a handler failure counts towards the circuit breaker (retryable, and no delay of its own) */
    boolean countsAgainstBreaker(Throwable failure) {
        return !classifier.isPermanent(failure) && classifier.requestedDelay(failure).isEmpty();
    }

    MessageOutcome of(IncomingMessage message, Verdict verdict) {
        return switch (verdict) {
            case Verdict.NotStarted n -> notStarted(message, n.delay(), n.reason());
            case Verdict.StoreUnavailable s -> notStarted(message, backoff(s.attempt()), RetryReason.FAILED);
            case Verdict.TwinInProgress t -> {
                // the twin usually finishes within moments: come back after the backoff, but never later
                // than the lease's lapse, when this consumer may take over
                Duration backoff = backoff(t.attempt());
                Duration delay = clamp(backoff.compareTo(t.untilLapse()) < 0 ? backoff : t.untilLapse(), MIN_TWIN_WAIT, t.lease());
                yield notStarted(message, delay, RetryReason.IN_PROGRESS);
            }
            case Verdict.AlreadyDone d -> new Duplicate(message);
            case Verdict.Rejected r -> deadLetter(message, r.kind(), r.errorType(), r.reason(), r.fingerprint(), r.attempt(),
                    r.recordedFirstFailure());
            case Verdict.TimedOut t -> {
                telemetry.error("Timeout");
                yield exhausted(t.attempt())
                        ? deadLetter(message, FailureKind.TIMEOUT, "Timeout", "handler did not finish within its time limit",
                                ErrorFingerprint.of("Timeout"), t.attempt(), t.recordedFirstFailure())
                        : retry(message, t.attempt(), RetryReason.TIMED_OUT, null, t.recordedFirstFailure());
            }
            case Verdict.Ran r -> ran(message, r);
            case Verdict.CommitFailed c ->
                    retryableFailure(message, c.attempt(), c.error(), RetryReason.FAILED, null, c.recordedFirstFailure());
            case Verdict.Crashed c -> retryableFailure(message, message.priorAttempts() + message.deliveryCount(), c.error(),
                    RetryReason.FAILED, null, null);
        };
    }

    private MessageOutcome ran(IncomingMessage message, Verdict.Ran ran) {
        Throwable failure = ran.failure();
        if (failure == null) {
            return new Processed(message);
        }
        if (classifier.isPermanent(failure)) {
            return deadLetter(message, FailureKind.PERMANENT, failure.getClass().getName(), String.valueOf(failure.getMessage()),
                    ErrorFingerprint.of(failure), ran.attempt(), ran.recordedFirstFailure());
        }
        // a delay the handler chose still uses an attempt; the adapter clamps it to the provider's limit
        Duration requested = classifier.requestedDelay(failure).orElse(null);
        return retryableFailure(message, ran.attempt(), failure, requested != null ? RetryReason.RETRY_LATER : RetryReason.FAILED,
                requested, ran.recordedFirstFailure());
    }

    private MessageOutcome retryableFailure(IncomingMessage message, int attempt, Throwable error, RetryReason reason,
                                            @Nullable Duration requestedDelay, @Nullable Instant recordedFirstFailure) {
        telemetry.error(error.getClass().getName());
        if (exhausted(attempt)) {
            return deadLetter(message, FailureKind.EXHAUSTED, error.getClass().getName(), String.valueOf(error.getMessage()),
                    ErrorFingerprint.of(error), attempt, recordedFirstFailure);
        }
        telemetry.log(LogSink.Level.WARN, "attempt failed, will retry", Telemetry.withAttempt(message, attempt), error);
        return retry(message, attempt, reason, requestedDelay, recordedFirstFailure);
    }

    private Retry retry(IncomingMessage message, int attempt, RetryReason reason, @Nullable Duration requestedDelay,
                        @Nullable Instant recordedFirstFailure) {
        telemetry.count(SluiceMetrics.RETRY_ATTEMPTS);
        Duration delay = requestedDelay != null ? requestedDelay : backoff(attempt);
        return new Retry(message, delay, attempt, reason, firstFailureAt(message, recordedFirstFailure));
    }

    private Duration backoff(int attempt) {
        // injected generators are not thread-safe; lanes draw from one
        synchronized (random) {
            return retryPolicy.backoff().delay(attempt, random);
        }
    }

    private static Retry notStarted(IncomingMessage message, Duration delay, RetryReason reason) {
        int used = message.priorAttempts() + message.deliveryCount() - 1;
        return new Retry(message, delay, Math.max(0, used), reason, previousFirstFailure(message));
    }

    private DeadLettered deadLetter(IncomingMessage message, FailureKind kind, String errorType, @Nullable String reason,
                                    String fingerprint, int attempts, @Nullable Instant recordedFirstFailure) {
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, errorType, Objects.requireNonNullElse(reason, ""),
                fingerprint, attempts, firstFailureAt(message, recordedFirstFailure), clock.instant(), message.sourceQueue(),
                message.id());
        telemetry.error(errorType);
        return new DeadLettered(message, envelope);
    }

    /** The store's first failure when the record has one, else the copy's attribute, else now. */
    private Instant firstFailureAt(IncomingMessage message, @Nullable Instant recorded) {
        if (recorded != null) {
            return recorded;
        }
        Instant previous = previousFirstFailure(message);
        return previous != null ? previous : clock.instant();
    }

    private static @Nullable Instant previousFirstFailure(IncomingMessage message) {
        String value = message.attributes().get(SluiceAttributes.FIRST_FAILURE_AT);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
