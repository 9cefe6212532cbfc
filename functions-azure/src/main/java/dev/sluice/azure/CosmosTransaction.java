package dev.sluice.azure;

import com.azure.cosmos.models.CosmosBatch;
import com.azure.cosmos.models.CosmosBatchItemRequestOptions;
import com.azure.cosmos.models.CosmosPatchOperations;
import com.azure.cosmos.models.PartitionKey;
import dev.sluice.core.spi.IdempotencyTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The handler's writes in transactional mode: they commit in one Cosmos DB {@code TransactionalBatch}
 * together with the {@code COMPLETED} idempotency record, or not at all. A transactional batch spans one
 * logical partition, so every item written here must carry {@link #partitionKeyValue()} in its
 * {@code /pk} property and live in the idempotency container. Obtain it in a handler with
 * {@code context.transaction(CosmosTransaction.class)}.
 *
 * <pre>{@code
 * CosmosTransaction tx = context.transaction(CosmosTransaction.class);
 * tx.upsert(Map.of("id", "order-" + order.orderId(), "pk", tx.partitionKeyValue(), "amountCents", order.amountCents()));
 * }</pre>
 */
public final class CosmosTransaction implements IdempotencyTransaction {
    /** A Cosmos transactional batch holds at most 100 operations; one is the idempotency record. */
    public static final int MAX_OPERATIONS = 99;

    private final String partitionKeyValue;
    private final List<Consumer<CosmosBatch>> operations = new ArrayList<>();

    CosmosTransaction(String partitionKeyValue) {
        this.partitionKeyValue = Objects.requireNonNull(partitionKeyValue, "partitionKeyValue");
    }

    /** @return the partition key value every item of this transaction must have in {@code /pk} */
    public String partitionKeyValue() {
        return partitionKeyValue;
    }

    /** @return the partition key of this transaction */
    public PartitionKey partitionKey() {
        return new PartitionKey(partitionKeyValue);
    }

    /** @param item a new item (fails the transaction if its id exists) @return this */
    public CosmosTransaction create(Object item) {
        Objects.requireNonNull(item, "item");
        return add(batch -> batch.createItemOperation(item));
    }

    /** @param item an item to create or replace @return this */
    public CosmosTransaction upsert(Object item) {
        Objects.requireNonNull(item, "item");
        return add(batch -> batch.upsertItemOperation(item));
    }

    /**
     * @param id the item's id
     * @param item its new content
     * @param ifMatchETag the ETag the item must still have, or null for none
     * @return this
     */
    public CosmosTransaction replace(String id, Object item, @org.jspecify.annotations.Nullable String ifMatchETag) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(item, "item");
        CosmosBatchItemRequestOptions options = new CosmosBatchItemRequestOptions();
        if (ifMatchETag != null) {
            options.setIfMatchETag(ifMatchETag);
        }
        return add(batch -> batch.replaceItemOperation(id, item, options));
    }

    /** @param id an item to delete (fails the transaction if absent) @return this */
    public CosmosTransaction delete(String id) {
        Objects.requireNonNull(id, "id");
        return add(batch -> batch.deleteItemOperation(id));
    }

    /**
     * @param id the item's id
     * @param patch the patch operations (e.g. {@code CosmosPatchOperations.create().increment("/count", 1)})
     * @return this
     */
    public CosmosTransaction patch(String id, CosmosPatchOperations patch) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(patch, "patch");
        return add(batch -> batch.patchItemOperation(id, patch));
    }

    @Override
    public synchronized int size() {
        return operations.size();
    }

    synchronized void addTo(CosmosBatch batch) {
        operations.forEach(op -> op.accept(batch));
    }

    private synchronized CosmosTransaction add(Consumer<CosmosBatch> operation) {
        if (operations.size() >= MAX_OPERATIONS) {
            throw new IllegalStateException("a Cosmos transaction holds at most " + MAX_OPERATIONS
                    + " operations besides the idempotency record");
        }
        operations.add(operation);
        return this;
    }
}
