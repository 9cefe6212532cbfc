package dev.sluice.azure.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosBatch;
import com.azure.cosmos.models.CosmosBatchResponse;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.azure.testing.LocalCosmosExtension;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The compatibility wrapper closes the local server's gaps against the Java SDK in gateway mode. */
class LocalCosmosServerIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    private CosmosContainer container;

    @BeforeEach
    void seed() {
        container = COSMOS.get().newContainer("wrapper");
        container.createItem(Map.of("id", "1", "pk", "a", "n", 1));
        container.createItem(Map.of("id", "2", "pk", "a", "n", 2));
        container.createItem(Map.of("id", "3", "pk", "b", "n", 3));
    }

    @Test
    void queriesWithAPartitionKey_seeOnlyThatPartition() {
        // GIVEN items in partitions a and b; WHEN the SDK queries (query plan first) scoped to partition a
        List<ObjectNode> items = container.queryItems("SELECT * FROM c ORDER BY c.n",
                new CosmosQueryRequestOptions().setPartitionKey(new PartitionKey("a")), ObjectNode.class).stream().toList();

        // THEN only partition a's items come back
        assertThat(items).extracting(i -> i.path("id").asText()).containsExactly("1", "2");
    }

    @Test
    void crossPartitionQueries_andReadAll_seeEverything() {
        assertThat(container.queryItems("SELECT * FROM c", new CosmosQueryRequestOptions(), ObjectNode.class).stream())
                .hasSize(3);
        assertThat(container.readAllItems(new PartitionKey("b"), ObjectNode.class).stream())
                .extracting(i -> i.path("id").asText()).containsExactly("3");
    }

    @Test
    void readingAMissingItem_isA404() {
        assertThatThrownBy(() -> container.readItem("nope", new PartitionKey("a"), ObjectNode.class))
                .isInstanceOfSatisfying(CosmosException.class, e -> assertThat(e.getStatusCode()).isEqualTo(404));
    }

    @Test
    void aFailingTransactionalBatch_answersWithTheFailingStatus_andRollsBack() {
        // GIVEN a batch that writes a new item, then creates one that exists
        CosmosBatch batch = CosmosBatch.createCosmosBatch(new PartitionKey("a"));
        batch.createItemOperation(Map.of("id", "4", "pk", "a"));
        batch.createItemOperation(Map.of("id", "1", "pk", "a"));

        // WHEN it runs
        CosmosBatchResponse response = container.executeCosmosBatch(batch);

        // THEN it failed with 409 on the second operation, 424 on the first, and the first was undone
        assertThat(response.isSuccessStatusCode()).isFalse();
        assertThat(response.getResults()).extracting(r -> r.getStatusCode()).containsExactly(424, 409);
        assertThatThrownBy(() -> container.readItem("4", new PartitionKey("a"), ObjectNode.class))
                .isInstanceOfSatisfying(CosmosException.class, e -> assertThat(e.getStatusCode()).isEqualTo(404));
    }
}
