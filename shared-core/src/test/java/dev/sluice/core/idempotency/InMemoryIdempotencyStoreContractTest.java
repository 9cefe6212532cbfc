package dev.sluice.core.idempotency;

import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.testing.IdempotencyStoreContract;

/** The store contract on {@link InMemoryIdempotencyStore}. */
class InMemoryIdempotencyStoreContractTest extends IdempotencyStoreContract {
    @Override
    protected IdempotencyStore newStore() {
        return new InMemoryIdempotencyStore();
    }
}
