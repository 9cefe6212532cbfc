package dev.sluice.azure.cosmos;

import com.azure.cosmos.CosmosContainer;
import dev.sluice.azure.testing.LocalCosmosExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link CosmosIdempotencyStoreContract} on the local Cosmos server (no Docker needed). */
class CosmosIdempotencyStoreIT extends CosmosIdempotencyStoreContract {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    @Override
    CosmosContainer newContainer() {
        return COSMOS.get().newContainer("sluice");
    }

    @Override
    void advanceEngineClock(Duration duration) {
        COSMOS.get().advanceTtlClock(duration);
    }
}
