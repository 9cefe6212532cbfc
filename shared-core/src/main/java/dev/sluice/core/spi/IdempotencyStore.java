package dev.sluice.core.spi;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where idempotency records live. Implementations make {@link #begin} one atomic conditional write
 * and must be safe for concurrent use by many consumers.
 *
 * <p>Record life: {@code begin} writes {@code IN_PROGRESS} with a lease; {@code complete} turns it
 * {@code COMPLETED}; {@code release} keeps it with the count of failed executions and the first failure's
 * time, its lease ended so a retry can run. Every record has a TTL expiry. What {@code begin} answers and
 * writes is decided by {@link RecordStateMachine}; an implementation reads the record (or learns it from a
 * failed conditional write), asks the state machine, and makes the write it names conditional on the record
 * being unchanged. {@code dev.sluice.core.testing.IdempotencyStoreContract} (shared-core's test-jar) is the
 * suite every implementation must pass.
 */
public interface IdempotencyStore {
    /**
     * Claims {@code request.key()}: succeeds only if the record is absent, expired, or an
     * {@code IN_PROGRESS} record whose lease has lapsed or was released ({@link RecordStateMachine#begin}).
     *
     * @param request the key, payload fingerprint, current time, lease expiry and record expiry
     * @return acquired (with the prior failures), already completed, in progress (live lease) or mismatch
     *     (another payload)
     * @throws RuntimeException when the store cannot be reached; the pipeline retries the message
     */
    BeginResult begin(BeginRequest request);

    /**
     * Marks the record {@code COMPLETED} if it is still held by {@code lease}, committing the
     * transaction's writes atomically with it in transactional mode.
     *
     * @param lease the lease from {@link #begin}
     * @param expiresAt the record's TTL expiry
     * @param transaction the handler's writes (transactional mode), or null
     * @throws RuntimeException when the write fails; in transactional mode nothing was committed
     */
    void complete(BeginResult.Acquired lease, Instant expiresAt, @Nullable IdempotencyTransaction transaction);

    /**
     * If the record is still held by {@code lease}, writes {@code release}'s failure count, first-failure time
     * and lease end (absolute values from {@link RecordStateMachine}); otherwise (lapsed and taken over, or
     * gone) does nothing, so a stale lease counts nothing.
     *
     * @param lease the lease from {@link #begin}
     * @param release what to write
     */
    void release(BeginResult.Acquired lease, Release release);

    /**
     * Reads a key's record without claiming it: how the pipeline recognises a completed message it can no longer
     * decode (a claim-checked payload deleted after its success, delivered again).
     *
     * @param key the key
     * @return the record, or empty when there is none (or the store cannot read one without claiming it)
     * @throws RuntimeException when the store cannot be reached
     */
    default Optional<RecordState> read(String key) {
        return Optional.empty();
    }

    /**
     * Opens the transaction a handler adds its writes to (transactional mode).
     *
     * @param lease the lease from {@link #begin}
     * @return a transaction that {@link #complete} commits
     * @throws UnsupportedOperationException when the store has no transactional mode
     */
    default IdempotencyTransaction openTransaction(BeginResult.Acquired lease) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support transactional mode");
    }

    /** @return whether {@link #openTransaction} is supported */
    default boolean supportsTransactions() {
        return false;
    }
}
