package dev.sluice.tests.azure;

import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Wraps the real store to put the worker's crashes where they hurt: right after the handler's side
 * effect. For a key the ledger chose, {@code complete} either never reaches the store (the process died
 * before it) or reaches it and the process dies right after; in both cases the host never completes the
 * batch. Once the process is dead no call reaches the store: every later completion in that invocation is
 * lost too (and recorded), and no new message gets a lease.
 */
final class CrashingIdempotencyStore implements IdempotencyStore {
    private final IdempotencyStore delegate;
    private final CrashingHost host;
    private final ChaosLedger ledger;

    CrashingIdempotencyStore(IdempotencyStore delegate, CrashingHost host, ChaosLedger ledger) {
        this.delegate = delegate;
        this.host = host;
        this.ledger = ledger;
    }

    @Override
    public BeginResult begin(BeginRequest request) {
        if (host.isDead()) {
            throw new IllegalStateException("worker process is gone");
        }
        return delegate.begin(request);
    }

    @Override
    public void complete(BeginResult.Acquired lease, Instant expiresAt, @Nullable IdempotencyTransaction transaction) {
        if (host.isDead()) {
            ledger.completionLost(lease.key());
            return;
        }
        ChaosLedger.Crash crash = ledger.takeCrash(lease.key());
        if (crash == ChaosLedger.Crash.BEFORE_COMPLETE) {
            host.crashNow();
            ledger.completionLost(lease.key());
            return;
        }
        delegate.complete(lease, expiresAt, transaction);
        if (crash == ChaosLedger.Crash.AFTER_COMPLETE) {
            host.crashNow();
        }
    }

    @Override
    public void release(BeginResult.Acquired lease, dev.sluice.core.spi.Release release) {
        boolean alive = !host.isDead();
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
