package dev.sluice.core.idempotency;

import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.RecordState;
import dev.sluice.core.spi.RecordStateMachine;
import dev.sluice.core.spi.Release;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * An idempotency store in this JVM's memory: correct under concurrency (every decision of
 * {@link RecordStateMachine} is applied in one atomic map operation), so usable in production by a single consumer instance and in every test. Records
 * vanish with the process. Expired records are swept at most once a minute of request time, so a sweep's
 * cost (a pass over every record) does not grow with the traffic.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** Record status. */
    public enum Status { IN_PROGRESS, COMPLETED }

    /**
     * A stored record, as tests and tools may inspect it.
     *
     * @param key key
     * @param fingerprint payload fingerprint
     * @param status status
     * @param leaseExpiresAt lease expiry
     * @param expiresAt TTL expiry
     * @param token version token
     * @param failures count of failed executions
     * @param firstFailureAt when the first of them failed, or null
     */
    public record StoredRecord(String key, String fingerprint, Status status, Instant leaseExpiresAt, Instant expiresAt,
                               String token, int failures, @Nullable Instant firstFailureAt) {
        RecordState state() {
            return new RecordState(fingerprint, status == Status.COMPLETED ? RecordState.Status.COMPLETED
                    : RecordState.Status.IN_PROGRESS, leaseExpiresAt, expiresAt, failures, firstFailureAt);
        }
    }

    /** Writes the handler adds in transactional mode; applied atomically with completion. */
    public static final class Transaction implements IdempotencyTransaction {
        private final List<Runnable> writes = new ArrayList<>();

        /** @param write an effect applied only when the record completes */
        public synchronized void add(Runnable write) {
            writes.add(Objects.requireNonNull(write, "write"));
        }

        @Override
        public synchronized int size() {
            return writes.size();
        }

        private synchronized List<Runnable> writes() {
            return List.copyOf(writes);
        }
    }

    private final ConcurrentMap<String, StoredRecord> records = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> nextSweep = new AtomicReference<>(Instant.MIN);
    private final AtomicLong tokens = new AtomicLong();

    @Override
    public java.util.Optional<RecordState> read(String key) {
        return java.util.Optional.ofNullable(records.get(key)).map(StoredRecord::state);
    }

    @Override
    public BeginResult begin(BeginRequest request) {
        Instant due = nextSweep.get();
        if (!request.now().isBefore(due) && nextSweep.compareAndSet(due, request.now().plus(SWEEP_INTERVAL))) {
            records.values().removeIf(r -> !r.expiresAt().isAfter(request.now()));
        }
        BeginResult[] result = new BeginResult[1];
        records.compute(request.key(), (key, existing) -> {
            switch (RecordStateMachine.begin(existing == null ? null : existing.state(), request)) {
                case RecordStateMachine.Acquire acquire -> {
                    // unique within this store is all a token needs (and a counter is far cheaper than a random UUID)
                    String token = Long.toString(tokens.incrementAndGet());
                    result[0] = acquire.acquired(token);
                    RecordState r = acquire.record();
                    return new StoredRecord(key, request.fingerprint(), Status.IN_PROGRESS, request.leaseExpiresAt(),
                            request.expiresAt(), token, r.failures(), r.firstFailureAt());
                }
                case RecordStateMachine.Refuse refuse -> {
                    result[0] = refuse.result();
                    return existing;
                }
            }
        });
        return result[0];
    }

    @Override
    public void complete(BeginResult.Acquired lease, Instant expiresAt, @Nullable IdempotencyTransaction transaction) {
        boolean[] done = new boolean[1];
        records.computeIfPresent(lease.key(), (key, existing) -> {
            if (!existing.token().equals(lease.token()) || existing.status() != Status.IN_PROGRESS) {
                return existing;
            }
            if (transaction instanceof Transaction tx) {
                tx.writes().forEach(Runnable::run);
            }
            done[0] = true;
            return new StoredRecord(key, existing.fingerprint(), Status.COMPLETED, existing.leaseExpiresAt(), expiresAt,
                    existing.token(), existing.failures(), existing.firstFailureAt());
        });
        if (!done[0]) {
            throw new SluiceException("idempotency record '" + lease.key() + "' is no longer held by this lease");
        }
    }

    @Override
    public void release(BeginResult.Acquired lease, Release release) {
        records.computeIfPresent(lease.key(), (key, existing) ->
                existing.token().equals(lease.token()) && existing.status() == Status.IN_PROGRESS
                        ? new StoredRecord(key, existing.fingerprint(), Status.IN_PROGRESS, release.leaseExpiresAt(),
                                existing.expiresAt(), existing.token(), release.failures(), release.firstFailureAt())
                        : existing);
    }

    @Override
    public IdempotencyTransaction openTransaction(BeginResult.Acquired lease) {
        return new Transaction();
    }

    @Override
    public boolean supportsTransactions() {
        return true;
    }

    /**
     * @param key a key
     * @return its record, if any
     */
    public Optional<StoredRecord> find(String key) {
        return Optional.ofNullable(records.get(key));
    }

    /** @return how many records are held */
    public int size() {
        return records.size();
    }
}
