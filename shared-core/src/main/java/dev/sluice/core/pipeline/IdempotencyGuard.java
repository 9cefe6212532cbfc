package dev.sluice.core.pipeline;

import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.internal.ErrorFingerprint;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.Hashes;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.internal.IdempotencyKeys;
import dev.sluice.core.spi.LogSink;
import dev.sluice.core.spi.RecordState;
import dev.sluice.core.spi.RecordStateMachine;
import dev.sluice.core.spi.Release;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Third stage: the idempotency protocol around the handler. Before it, {@code begin} decides whether the
 * handler may run and which attempt it is (executions on record, not deliveries); after it, the record
 * is completed, or released with the failure counted.
 */
final class IdempotencyGuard {
    /** Whether the handler may run. */
    sealed interface Entry permits Unguarded, Leased, Stop {}

    /** No store, or no key: the handler runs with the delivery-count attempt. */
    record Unguarded() implements Entry {}

    /** The lease is held; {@code lease.attempt()} is this execution's attempt. */
    record Leased(BeginResult.Acquired lease, @Nullable IdempotencyTransaction transaction) implements Entry {
        int attempt() {
            return lease.attempt();
        }

        @Nullable Instant firstFailureAt() {
            return lease.firstFailureAt();
        }
    }

    /** The handler must not run. */
    record Stop(Verdict verdict) implements Entry {}

    private final @Nullable IdempotencyOptions idempotency;
    private final int maxAttempts;
    private final Clock clock;
    private final Telemetry telemetry;
    private final Tracing tracing;

    IdempotencyGuard(@Nullable IdempotencyOptions idempotency, int maxAttempts, Clock clock, Telemetry telemetry) {
        this(idempotency, maxAttempts, clock, telemetry, Tracing.noop());
    }

    IdempotencyGuard(@Nullable IdempotencyOptions idempotency, int maxAttempts, Clock clock, Telemetry telemetry, Tracing tracing) {
        this.tracing = tracing;
        this.idempotency = idempotency;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
        this.telemetry = telemetry;
    }

    /**
     * @param key the message's idempotency key, null without one
     * @param attempt the attempt by delivery count, used when the store gives none
     */
    Entry enter(IncomingMessage message, byte[] payload, @Nullable String key, int attempt) {
        if (idempotency == null || key == null) {
            return new Unguarded();
        }
        Instant now = clock.instant();
        BeginResult begin;
        try {
            BeginRequest request = new BeginRequest(key, Hashes.sha256Hex(payload), now, now.plus(idempotency.lease()),
                    now.plus(idempotency.ttl()));
            begin = tracing.inSpan("idempotency begin", () -> idempotency.store().begin(request));
        } catch (RuntimeException e) {
            // the handler did not run, so no attempt is used: a store outage never exhausts a message
            telemetry.error(e.getClass().getName());
            telemetry.log(LogSink.Level.WARN, "idempotency begin failed, will retry",
                    Telemetry.fields(message, "idempotency_begin"), e);
            return new Stop(new Verdict.StoreUnavailable(attempt));
        }
        BeginResult.Acquired lease;
        switch (begin) {
            case BeginResult.AlreadyCompleted done -> {
                return new Stop(new Verdict.AlreadyDone());
            }
            case BeginResult.InProgress inProgress -> {
                return new Stop(new Verdict.TwinInProgress(attempt, Duration.between(now, inProgress.leaseExpiresAt()),
                        idempotency.lease()));
            }
            case BeginResult.Mismatch mismatch -> {
                return new Stop(new Verdict.Rejected(FailureKind.IDEMPOTENCY_MISMATCH, "IdempotencyMismatch",
                        "idempotency key '" + key + "' was already used with another payload",
                        ErrorFingerprint.of("IdempotencyMismatch"), attempt, null));
            }
            case BeginResult.Acquired acquired -> lease = acquired;
        }
        if (lease.priorFailures() >= maxAttempts && SluiceAttributes.redriven(message.attributes())) {
            // a redriven copy of an exhausted message starts again; its record counts the runs before
            lease = new BeginResult.Acquired(lease.key(), lease.fingerprint(), lease.leaseExpiresAt(), lease.token());
        }
        if (lease.priorFailures() >= maxAttempts) {
            // every attempt was used and its dead letter did not get through (a crash before it was sent):
            // dead-letter it again without another execution
            release(lease, RecordStateMachine.released(lease, clock.instant()), message);
            return new Stop(new Verdict.Rejected(FailureKind.EXHAUSTED, "AttemptsExhausted",
                    "all " + lease.priorFailures() + " attempts were used before this delivery",
                    ErrorFingerprint.of("AttemptsExhausted"), lease.priorFailures(), lease.firstFailureAt()));
        }
        if (idempotency.mode() != IdempotencyMode.TRANSACTIONAL) {
            return new Leased(lease, null);
        }
        try {
            return new Leased(lease, idempotency.store().openTransaction(lease));
        } catch (RuntimeException e) {
            // the handler did not run: the lease goes back without using an attempt
            release(lease, RecordStateMachine.released(lease, clock.instant()), message);
            return new Stop(new Verdict.StoreUnavailable(lease.attempt()));
        }
    }

    /**
     * For a message that can no longer be decoded (its stored payload is gone): whether it was completed before, under
     * the key it can be given without its payload ({@link IdempotencyKeys#withoutPayload}).
     *
     * @param message the message
     * @param signed whether the consumer verifies signatures
     * @return already done, the store unavailable (the message comes back), or empty when neither is known
     */
    java.util.Optional<Verdict> completedBefore(IncomingMessage message, boolean signed) {
        if (idempotency == null) {
            return java.util.Optional.empty();
        }
        String key = IdempotencyKeys.withoutPayload(message, idempotency.keyPointer().isPresent(), signed);
        if (key == null) {
            return java.util.Optional.empty();
        }
        IdempotencyOptions options = idempotency;
        try {
            java.util.Optional<RecordState> found = tracing.inSpan("idempotency read", () -> options.store().read(key));
            boolean done = found.filter(r -> r.status() == RecordState.Status.COMPLETED && !r.expired(clock.instant()))
                    .isPresent();
            return done ? java.util.Optional.of(new Verdict.AlreadyDone()) : java.util.Optional.empty();
        } catch (RuntimeException e) {
            telemetry.error(e.getClass().getName());
            telemetry.log(LogSink.Level.WARN, "idempotency read failed, will retry",
                    Telemetry.fields(message, "idempotency_read"), e);
            return java.util.Optional.of(new Verdict.StoreUnavailable(message.priorAttempts() + message.deliveryCount()));
        }
    }

    /**
     * Completes the record after the handler succeeded.
     *
     * @return the success, or {@link Verdict.CommitFailed} when a transaction could not commit
     */
    Verdict succeeded(IncomingMessage message, Leased entry) {
        IdempotencyOptions options = java.util.Objects.requireNonNull(idempotency);
        try {
            Instant expiresAt = clock.instant().plus(options.ttl());
            tracing.inSpan("idempotency complete", () -> {
                options.store().complete(entry.lease(), expiresAt, entry.transaction());
                return null;
            });
        } catch (RuntimeException e) {
            if (entry.transaction() != null) {
                // nothing was committed: the handler's writes and the record fail together
                failed(message, entry, false);
                return new Verdict.CommitFailed(entry.attempt(), e, entry.firstFailureAt());
            }
            // guard mode: the effect happened; re-running it would apply it twice
            telemetry.error(e.getClass().getName());
            telemetry.log(LogSink.Level.ERROR, "handler succeeded but its idempotency record could not be completed;"
                    + " the record's lease will lapse", Telemetry.fields(message, "idempotency_complete"), e);
        }
        return new Verdict.Ran(entry.attempt(), null, entry.firstFailureAt());
    }

    /**
     * Counts a failed execution. The last one stays counted, so a redelivery whose dead letter was lost is not run
     * again; a permanent failure clears the count, so a redrive gets every attempt.
     */
    void failed(IncomingMessage message, Leased entry, boolean permanent) {
        Instant now = clock.instant();
        release(entry.lease(), permanent ? RecordStateMachine.deadLettered(now)
                : RecordStateMachine.failed(entry.lease(), now), message);
    }

    /** Counts a timed-out execution but keeps the lease until it lapses: the handler may still be running. */
    void timedOut(IncomingMessage message, Leased entry) {
        release(entry.lease(), RecordStateMachine.failedHoldingLease(entry.lease(), clock.instant()), message);
    }

    private void release(BeginResult.Acquired lease, Release release, IncomingMessage message) {
        try {
            IdempotencyOptions options = java.util.Objects.requireNonNull(idempotency);
            tracing.inSpan("idempotency release", () -> {
                options.store().release(lease, release);
                return null;
            });
        } catch (RuntimeException e) {
            telemetry.log(LogSink.Level.WARN, "idempotency release failed; the lease will lapse",
                    Telemetry.fields(message, "idempotency_release"), e);
        }
    }
}
