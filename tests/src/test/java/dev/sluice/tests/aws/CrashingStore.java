package dev.sluice.tests.aws;

import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * An idempotency store decorator that lets the ledger kill the "process" at the two moments that matter:
 * after the handler's effect and before {@code complete} (the record stays {@code IN_PROGRESS} until its lease
 * lapses; in transactional mode the handler's writes are never committed), and after {@code complete} and
 * before the event source mapping deletes the message. Once dead, the process writes nothing more.
 */
final class CrashingStore implements IdempotencyStore {
    private final IdempotencyStore delegate;
    private final ChaosLedger ledger;
    private final AtomicBoolean dead;

    CrashingStore(IdempotencyStore delegate, ChaosLedger ledger, AtomicBoolean dead) {
        this.delegate = delegate;
        this.ledger = ledger;
        this.dead = dead;
    }

    @Override
    public BeginResult begin(BeginRequest request) {
        if (dead.get()) {
            throw new IllegalStateException("process crashed");
        }
        BeginResult result = delegate.begin(request);
        if (result instanceof BeginResult.AlreadyCompleted) {
            ledger.duplicateSkipped();
        }
        return result;
    }

    @Override
    public void complete(BeginResult.Acquired lease, Instant expiresAt, @Nullable IdempotencyTransaction transaction) {
        String key = lease.key();
        if (dead.get()) {
            // another message of this invocation crashed the process before this one could complete
            ledger.completeLostToCrash(key);
            return;
        }
        ChaosLedger.Plan plan = ledger.planOf(key);
        if (plan == ChaosLedger.Plan.CRASH_BEFORE_COMPLETE && ledger.fireCrash(key)) {
            dead.set(true);
            ledger.crashBeforeComplete();
            ledger.completeLostToCrash(key);
            return;
        }
        delegate.complete(lease, expiresAt, transaction);
        if (plan == ChaosLedger.Plan.CRASH_AFTER_COMPLETE && ledger.fireCrash(key)) {
            dead.set(true);
            ledger.crashAfterComplete();
        }
    }

    @Override
    public void release(BeginResult.Acquired lease, dev.sluice.core.spi.Release release) {
        boolean alive = !dead.get();
        if (alive) {
            delegate.release(lease, release);
        }
        ledger.released(lease.key(), alive);
    }

    @Override
    public IdempotencyTransaction openTransaction(BeginResult.Acquired lease) {
        return delegate.openTransaction(lease);
    }

    @Override
    public boolean supportsTransactions() {
        return delegate.supportsTransactions();
    }
}
