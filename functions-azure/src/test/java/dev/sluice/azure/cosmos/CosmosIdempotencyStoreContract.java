package dev.sluice.azure.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.internal.CosmosRecords;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.testing.IdempotencyStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link CosmosIdempotencyStore} on each Cosmos engine (the local server, and the emulator where Docker
 * exists): the store contract every store runs, plus what only Cosmos does: item TTLs that the engine
 * enforces, and record ids that Cosmos accepts whatever the key.
 */
abstract class CosmosIdempotencyStoreContract extends IdempotencyStoreContract {
    CosmosContainer container;

    /** @return a fresh idempotency container on this engine */
    abstract CosmosContainer newContainer();

    /** Moves the engine's TTL clock forward, or skips the test where the engine cannot. */
    abstract void advanceEngineClock(Duration duration);

    @Override
    protected IdempotencyStore newStore() {
        container = newContainer();
        return CosmosIdempotencyStore.builder().container(container).build();
    }

    private CosmosIdempotencyStore cosmos() {
        return (CosmosIdempotencyStore) store;
    }

    @Test
    void records_carryAnItemTtl_andCosmosDeletesThemWhenItRunsOut() {
        // GIVEN a completed record whose expiry is 90 s after it was begun
        Instant now = Instant.now();
        BeginRequest shortLived = new BeginRequest("k-ttl", "fp", now, now.plusSeconds(30), now.plusSeconds(90));
        BeginResult.Acquired lease = (BeginResult.Acquired) store.begin(shortLived);
        store.complete(lease, now.plusSeconds(90), null);
        ObjectNode stored = readRecord("k-ttl").orElseThrow();
        assertThat(stored.path("ttl").asLong()).isBetween(90L, 91L);
        assertThat(stored.path("status").asText()).isEqualTo("COMPLETED");

        // WHEN the engine's clock passes the ttl
        advanceEngineClock(Duration.ofSeconds(91));

        // THEN the record is gone and the key can be begun again
        assertThat(readRecord("k-ttl")).isEmpty();
        assertThat(store.begin(request("k-ttl", "fp", Instant.now()))).isInstanceOf(BeginResult.Acquired.class);
    }

    @Test
    void longAndUnsafeKeys_areHashedIntoValidCosmosIds() {
        // GIVEN keys Cosmos ids cannot hold as they are: 1000 chars, and slashes / question marks / hashes
        // (that such keys are recognised as done is the contract's; here: where they are stored)
        String longKey = "x".repeat(1000);
        String unsafeKey = "orders/2024?id=7#a";

        // WHEN they are begun and completed
        for (String key : java.util.List.of(longKey, unsafeKey)) {
            store.complete((BeginResult.Acquired) store.begin(request(key, "p", T0)), T0.plus(TTL), null);
        }

        // THEN each record sits under an id Cosmos accepts: at most 255 characters, none of / \\ ? #
        for (String key : java.util.List.of(longKey, unsafeKey)) {
            assertThat(CosmosRecords.recordId(key)).hasSizeLessThanOrEqualTo(255).doesNotContain("/", "\\", "?", "#");
            assertThat(readRecord(key)).as(key).isPresent();
        }
    }

    Optional<ObjectNode> readRecord(String key) {
        try {
            return Optional.of(container.readItem(CosmosRecords.recordId(key), new PartitionKey(cosmos().partitionKeyValue(key)),
                    ObjectNode.class).getItem());
        } catch (CosmosException e) {
            assumeTrue(e.getStatusCode() == 404, () -> "unexpected status " + e.getStatusCode());
            return Optional.empty();
        }
    }
}
