package dev.sluice.core.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The idempotency record's state machine, the one place its decisions are made: a pure function from the
 * record on store (or none), the request and its time to what {@code begin} answers and which record to
 * write. Stores only translate a decision into one conditional write and read nothing else into it.
 *
 * <p>{@link #begin}, in order:
 * <ol>
 *   <li>no record, or an expired one → {@link Write#CREATE} / {@link Write#REPLACE}: new work, no failures;</li>
 *   <li>an in-progress record whose lease lapsed or was released → acquired; with the same payload the
 *       failure count and first-failure time carry over ({@link Write#TAKE_OVER}), with another payload (or
 *       one Sluice cannot compare) they start again ({@link Write#REPLACE});</li>
 *   <li>another payload → {@link BeginResult.Mismatch};</li>
 *   <li>completed → {@link BeginResult.AlreadyCompleted};</li>
 *   <li>otherwise a live lease → {@link BeginResult.InProgress} until it lapses.</li>
 * </ol>
 * An attempt is one execution of the handler: {@link #failed} counts one on release, so deliveries that never
 * ran the handler (a blocked group, a twin in progress, the time budget, an open breaker) cost none.
 */
public final class RecordStateMachine {
    private RecordStateMachine() {}

    /** The write that acquires a key; each is conditional on the record being as the decision saw it. */
    public enum Write {
        /** No record: write one if still absent. */
        CREATE,
        /** A free record of the same payload: claim it, keeping its failure count and first-failure time. */
        TAKE_OVER,
        /** An expired record, or a free one of another payload: overwrite it with a fresh count. */
        REPLACE
    }

    /** What to do with a begin. */
    public sealed interface Decision permits Acquire, Refuse {}

    /**
     * The key is free: write {@code record} with {@code write}'s condition, then answer {@link #acquired}.
     *
     * @param write which conditional write
     * @param record the record to write (in progress, the request's lease and expiry, the carried count)
     * @param request the request decided
     */
    public record Acquire(Write write, RecordState record, BeginRequest request) implements Decision {
        /** Validates the components. */
        public Acquire {
            Objects.requireNonNull(write, "write");
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(request, "request");
        }

        /**
         * @param token the store's version of the written record
         * @return what {@code begin} answers once the write succeeded
         */
        public BeginResult.Acquired acquired(String token) {
            return new BeginResult.Acquired(request.key(), request.fingerprint(), request.leaseExpiresAt(), token,
                    record.failures(), record.firstFailureAt());
        }
    }

    /**
     * The key is not free: answer {@code result} and write nothing.
     *
     * @param result already completed, in progress or mismatch
     */
    public record Refuse(BeginResult result) implements Decision {
        /** Validates the component. */
        public Refuse {
            if (Objects.requireNonNull(result, "result") instanceof BeginResult.Acquired) {
                throw new IllegalArgumentException("a refusal cannot be an acquisition");
            }
        }
    }

    /**
     * @param existing the record on store, or null when there is none
     * @param request the begin request (its {@code now} is the decision's time)
     * @return acquire (with the write to make) or refuse (with the answer)
     */
    public static Decision begin(@Nullable RecordState existing, BeginRequest request) {
        Objects.requireNonNull(request, "request");
        Instant now = request.now();
        if (existing == null) {
            return acquire(Write.CREATE, 0, null, request);
        }
        if (existing.expired(now)) {
            // a count from an expired record never carries over: its key starts again
            return acquire(Write.REPLACE, 0, null, request);
        }
        if (existing.leaseLapsed(now)) {
            return request.fingerprint().equals(existing.fingerprint())
                    ? acquire(Write.TAKE_OVER, existing.failures(), existing.firstFailureAt(), request)
                    : acquire(Write.REPLACE, 0, null, request);
        }
        String stored = existing.fingerprint();
        if (stored != null && !stored.equals(request.fingerprint())) {
            return new Refuse(new BeginResult.Mismatch(request.key(), stored));
        }
        if (existing.status() == RecordState.Status.COMPLETED) {
            return new Refuse(new BeginResult.AlreadyCompleted(request.key()));
        }
        Instant until = existing.leaseExpiresAt() != null ? existing.leaseExpiresAt() : existing.expiresAt();
        return new Refuse(new BeginResult.InProgress(request.key(), until));
    }

    /**
     * An execution failed with a retryable error: count it and end the lease now, so the retry runs at once.
     *
     * @param lease the lease the execution ran under
     * @param now when it failed
     * @return the release to write
     */
    public static Release failed(BeginResult.Acquired lease, Instant now) {
        return new Release(lease.priorFailures() + 1, firstFailure(lease, now), now);
    }

    /**
     * An execution ran past its time limit and may still be running: count it but keep the lease until it
     * lapses, so no one runs the key concurrently.
     *
     * @param lease the lease the execution ran under
     * @param now when the limit passed
     * @return the release to write
     */
    public static Release failedHoldingLease(BeginResult.Acquired lease, Instant now) {
        return new Release(lease.priorFailures() + 1, firstFailure(lease, now), lease.leaseExpiresAt());
    }

    /**
     * The lease is given back before the handler ran (e.g. its transaction could not be opened): no attempt.
     *
     * @param lease the lease
     * @param now the release time
     * @return the release to write
     */
    public static Release released(BeginResult.Acquired lease, Instant now) {
        return new Release(lease.priorFailures(), lease.firstFailureAt(), now);
    }

    /**
     * The message leaves for the dead-letter queue after a permanent failure: its count is cleared, so a redrive gets
     * every attempt. (An exhausted message keeps its count instead, so a redelivery whose dead letter was lost is
     * dead-lettered again rather than run again.)
     *
     * @param leaseEnd when the lease ends (the release time, or the lease's own end while a timed-out handler
     *     may still run)
     * @return the release to write
     */
    public static Release deadLettered(Instant leaseEnd) {
        return new Release(0, null, leaseEnd);
    }

    private static Instant firstFailure(BeginResult.Acquired lease, Instant now) {
        return lease.firstFailureAt() != null ? lease.firstFailureAt() : now;
    }

    private static Acquire acquire(Write write, int failures, @Nullable Instant firstFailureAt, BeginRequest request) {
        return new Acquire(write, new RecordState(request.fingerprint(), RecordState.Status.IN_PROGRESS,
                request.leaseExpiresAt(), request.expiresAt(), failures, firstFailureAt), request);
    }
}
