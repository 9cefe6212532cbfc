package dev.sluice.core.claimcheck;

import dev.sluice.core.testing.InMemoryPayloadStore;
import dev.sluice.core.testing.PayloadStoreContract;

class InMemoryPayloadStoreTest extends PayloadStoreContract {
    @Override
    protected PayloadStore newStore() {
        return new InMemoryPayloadStore(PayloadPointer.Store.S3, "payloads");
    }
}
