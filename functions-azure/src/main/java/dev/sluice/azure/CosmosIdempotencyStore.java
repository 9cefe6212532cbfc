package dev.sluice.azure;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosException;
import com.azure.cosmos.models.CosmosBatch;
import com.azure.cosmos.models.CosmosBatchItemRequestOptions;
import com.azure.cosmos.models.CosmosBatchOperationResult;
import com.azure.cosmos.models.CosmosBatchResponse;
import com.azure.cosmos.models.CosmosItemRequestOptions;
import com.azure.cosmos.models.CosmosItemResponse;
import com.azure.cosmos.models.PartitionKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.azure.internal.CosmosRecords;
import dev.sluice.azure.internal.CosmosRecords.Status;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.RecordState;
import dev.sluice.core.spi.RecordStateMachine;
import dev.sluice.core.spi.Release;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency records in a Cosmos DB container (partition key {@code /pk}, TTL enabled with default
 * {@code -1}). {@code begin} is one {@code createItem}; when the record exists (409) it is read and
 * {@link RecordStateMachine} decides: completed, a live lease, another payload, or a free record (expired,
 * lapsed or released) that is replaced under an {@code _etag} condition, so exactly one of many concurrent
 * consumers acquires a key. {@code complete} and {@code release} are conditional on the ETag the lease holds;
 * {@code release} replaces the record with its lease ended and the failure count written. Every record carries
 * an item {@code ttl} from its expiry; expiry is also checked against the request's {@code now}, so a
 * record Cosmos has not deleted yet is treated as absent.
 *
 * <p>Transactional mode: {@link CosmosTransaction} writes and the {@code COMPLETED} record commit in one
 * {@code TransactionalBatch} on the record's logical partition.
 */
public final class CosmosIdempotencyStore implements IdempotencyStore {
    private static final int MAX_DECISION_ROUNDS = 8;

    private final CosmosContainer container;
    private final UnaryOperator<String> partitionKeyOf;

    private CosmosIdempotencyStore(Builder b) {
        this.container = Objects.requireNonNull(b.container);
        this.partitionKeyOf = b.partitionKeyOf;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public BeginResult begin(BeginRequest request) {
        String key = request.key();
        String id = CosmosRecords.recordId(key);
        String pkValue = partitionKeyValue(key);
        PartitionKey pk = new PartitionKey(pkValue);
        // new work is the common case: try to create the record before reading anything
        RecordStateMachine.Decision decision = RecordStateMachine.begin(null, request);
        Optional<CosmosItemResponse<ObjectNode>> read = Optional.empty();
        for (int round = 0; round < MAX_DECISION_ROUNDS; round++) {
            switch (decision) {
                case RecordStateMachine.Refuse refuse -> {
                    return refuse.result();
                }
                case RecordStateMachine.Acquire acquire -> {
                    ObjectNode fresh = CosmosRecords.record(key, pkValue, acquire.record(), request.now());
                    try {
                        CosmosItemResponse<ObjectNode> written = read.isEmpty()
                                ? container.createItem(fresh, pk, minimal())
                                : container.replaceItem(fresh, id, pk, minimal().setIfMatchETag(read.get().getETag()));
                        return acquire.acquired(CosmosRecords.token(etag(request, written.getETag()), request.now(),
                                request.expiresAt()));
                    } catch (CosmosException e) {
                        if (e.getStatusCode() != 409 && e.getStatusCode() != 412 && e.getStatusCode() != 404) {
                            throw failure("begin", key, e);
                        }
                        // it exists, or another consumer changed or deleted it first: decide on what is there now
                    }
                }
            }
            read = read(id, pk, key);
            decision = RecordStateMachine.begin(read.map(r -> CosmosRecords.state(r.getItem())).orElse(null), request);
        }
        throw new SluiceException("idempotency record '" + key + "' changed " + MAX_DECISION_ROUNDS
                + " times while deciding; retry later");
    }

    @Override
    public void complete(BeginResult.Acquired lease, Instant expiresAt, @Nullable IdempotencyTransaction transaction) {
        String key = lease.key();
        String pkValue = partitionKeyValue(key);
        PartitionKey pk = new PartitionKey(pkValue);
        String etag = CosmosRecords.etagOf(lease.token());
        ObjectNode done = CosmosRecords.record(key, pkValue, Status.COMPLETED, lease.fingerprint(), lease.leaseExpiresAt(),
                expiresAt, CosmosRecords.beganOf(lease.token()));
        if (transaction == null) {
            try {
                container.replaceItem(done, CosmosRecords.recordId(key), pk, minimal().setIfMatchETag(etag));
            } catch (CosmosException e) {
                if (e.getStatusCode() == 412 || e.getStatusCode() == 404) {
                    throw new SluiceException("idempotency record '" + key + "' is no longer held by this lease");
                }
                throw failure("complete", key, e);
            }
            return;
        }
        if (!(transaction instanceof CosmosTransaction tx)) {
            throw new IllegalArgumentException("transaction must be a CosmosTransaction, got " + transaction.getClass().getName());
        }
        CosmosBatch batch = CosmosBatch.createCosmosBatch(pk);
        batch.replaceItemOperation(CosmosRecords.recordId(key), done, new CosmosBatchItemRequestOptions().setIfMatchETag(etag));
        tx.addTo(batch);
        CosmosBatchResponse response;
        try {
            response = container.executeCosmosBatch(batch);
        } catch (CosmosException e) {
            throw failure("complete (transaction)", key, e);
        }
        if (!response.isSuccessStatusCode()) {
            throw transactionFailure(key, response);
        }
    }

    @Override
    public void release(BeginResult.Acquired lease, Release release) {
        String key = lease.key();
        String pkValue = partitionKeyValue(key);
        ObjectNode released = CosmosRecords.record(key, pkValue, new RecordState(lease.fingerprint(), RecordState.Status.IN_PROGRESS,
                release.leaseExpiresAt(), CosmosRecords.expiresOf(lease.token()), release.failures(), release.firstFailureAt()),
                CosmosRecords.beganOf(lease.token()));
        try {
            container.replaceItem(released, CosmosRecords.recordId(key), new PartitionKey(pkValue),
                    minimal().setIfMatchETag(CosmosRecords.etagOf(lease.token())));
        } catch (CosmosException e) {
            if (e.getStatusCode() != 412 && e.getStatusCode() != 404) {
                throw failure("release", key, e);
            }
            // gone, or taken over after our lease lapsed: nothing of ours to count
        }
    }

    @Override
    public IdempotencyTransaction openTransaction(BeginResult.Acquired lease) {
        return new CosmosTransaction(partitionKeyValue(lease.key()));
    }

    @Override
    public boolean supportsTransactions() {
        return true;
    }

    /**
     * @param key an idempotency key
     * @return the partition key value of its record (and of the items of its transaction)
     */
    public String partitionKeyValue(String key) {
        String value = partitionKeyOf.apply(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("partitionKeyOf returned no value for key '" + key + "'");
        }
        return value;
    }

    @Override
    public Optional<RecordState> read(String key) {
        return read(CosmosRecords.recordId(key), new PartitionKey(partitionKeyValue(key)), key)
                .map(r -> CosmosRecords.state(r.getItem()));
    }

    private Optional<CosmosItemResponse<ObjectNode>> read(String id, PartitionKey pk, String key) {
        try {
            return Optional.of(container.readItem(id, pk, ObjectNode.class));
        } catch (CosmosException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw failure("begin", key, e);
        }
    }

    private static String etag(BeginRequest request, @Nullable String etag) {
        if (etag == null || etag.isEmpty()) {
            throw new SluiceException("Cosmos DB returned no ETag for idempotency record '" + request.key() + "'");
        }
        return etag;
    }

    private static CosmosItemRequestOptions minimal() {
        return new CosmosItemRequestOptions().setContentResponseOnWriteEnabled(false);
    }

    private static SluiceException failure(String operation, String key, CosmosException e) {
        return new SluiceException("Cosmos DB " + operation + " of idempotency record '" + key + "' failed with status "
                + e.getStatusCode() + "/" + e.getSubStatusCode(), e);
    }

    private static SluiceException transactionFailure(String key, CosmosBatchResponse response) {
        int index = 0;
        for (CosmosBatchOperationResult result : response.getResults()) {
            if (result.getStatusCode() != 424 && !result.isSuccessStatusCode()) {
                String what = index == 0 ? "the idempotency record (lease lost)" : "handler operation " + index;
                return new SluiceException("Cosmos DB transaction for idempotency record '" + key + "' failed at " + what
                        + " with status " + result.getStatusCode() + "; nothing was committed");
            }
            index++;
        }
        return new SluiceException("Cosmos DB transaction for idempotency record '" + key + "' failed with status "
                + response.getStatusCode() + "; nothing was committed");
    }

    /** Builds a {@link CosmosIdempotencyStore}; {@code container} is required. */
    public static final class Builder {
        private @Nullable CosmosContainer container;
        private UnaryOperator<String> partitionKeyOf = CosmosRecords::safeKey;

        private Builder() {}

        /**
         * @param container the idempotency container (partition key {@code /pk}, TTL on); create the
         *     client once per function instance
         * @return this
         */
        public Builder container(CosmosContainer container) {
            this.container = Objects.requireNonNull(container, "container");
            return this;
        }

        /**
         * Which logical partition a key's record goes to (default: the key itself, hashed when it is long
         * or holds characters Cosmos ids forbid). In transactional mode the handler's items share it.
         *
         * @param partitionKeyOf maps an idempotency key to a partition key value
         * @return this
         */
        public Builder partitionKeyOf(UnaryOperator<String> partitionKeyOf) {
            this.partitionKeyOf = Objects.requireNonNull(partitionKeyOf, "partitionKeyOf");
            return this;
        }

        /** @return the store @throws IllegalArgumentException naming the missing property */
        public CosmosIdempotencyStore build() {
            if (container == null) {
                throw new IllegalArgumentException("container is required");
            }
            return new CosmosIdempotencyStore(this);
        }
    }
}
