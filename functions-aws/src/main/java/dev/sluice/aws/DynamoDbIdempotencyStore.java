package dev.sluice.aws;

import static dev.sluice.aws.DynamoDbRecords.n;
import static dev.sluice.aws.DynamoDbRecords.s;

import dev.sluice.aws.internal.PowertoolsKeys;
import dev.sluice.core.SluiceException;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.RecordStateMachine;
import dev.sluice.core.spi.Release;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Idempotency records in a DynamoDB table, in the format of Powertools for AWS Lambda so teams can share
 * one table: partition key {@code id} (string), {@code status} ({@code INPROGRESS} / {@code COMPLETED}),
 * {@code expiration} (TTL, epoch seconds), {@code in_progress_expiration} (lease, epoch milliseconds) and
 * {@code validation} (Sluice's SHA-256 payload fingerprint), plus two attributes Powertools ignores:
 * {@code sluice_failures} (the count of failed executions) and {@code sluice_first_failure_at} (epoch
 * milliseconds). Enable the table's TTL on {@code expiration}. Decisions are {@link RecordStateMachine}'s.
 *
 * <ul>
 *   <li>{@link #begin}: one conditional {@code UpdateItem} that succeeds if the record is absent, or
 *       {@code INPROGRESS} with a lapsed or released lease (milliseconds compared with milliseconds), the same
 *       payload and not expired; it keeps the failure count and returns the old item ({@code ReturnValues=ALL_OLD})
 *       so the count is known without a read. On a failed condition DynamoDB returns the existing item
 *       ({@code ReturnValuesOnConditionCheckFailure=ALL_OLD}), so a duplicate costs one request and no read.
 *       Only when the state machine then says the record may be replaced (expired, or a lapsed lease of another
 *       payload) does a second request follow: a {@code PutItem} of the fresh record, conditional on the item
 *       being unchanged.</li>
 *   <li>{@link #complete}: one conditional {@code UpdateItem} (guard mode), or one
 *       {@code TransactWriteItems} with the handler's writes (transactional mode).</li>
 *   <li>{@link #release}: one conditional {@code UpdateItem} that ends the lease and writes the failure
 *       count. The status stays {@code INPROGRESS} with {@code in_progress_expiration = 0}, which both Sluice
 *       and Powertools 1.15 read as free (Powertools compares that attribute with the time in seconds).</li>
 * </ul>
 * Complete and release are conditional on the lease this consumer wrote, so a consumer whose lease
 * lapsed and was taken over cannot overwrite or delete the new holder's record. The store never reads a
 * clock. Records written by Powertools are read as they are: they carry no Sluice fingerprint, so they
 * are never reported as a mismatch.
 */
public final class DynamoDbIdempotencyStore implements IdempotencyStore {
    /** Partition key attribute. */
    public static final String ID = "id";
    /** Record expiry, epoch seconds (the table's TTL attribute). */
    public static final String EXPIRATION = "expiration";
    /** Lease expiry of an {@code INPROGRESS} record, epoch milliseconds. */
    public static final String IN_PROGRESS_EXPIRATION = "in_progress_expiration";
    /** {@code INPROGRESS} or {@code COMPLETED}. */
    public static final String STATUS = "status";
    /** Payload fingerprint. */
    public static final String VALIDATION = "validation";
    /** Sluice only: the count of failed executions of a released record. */
    public static final String FAILURES = "sluice_failures";
    /** Sluice only: when the first of them failed, epoch milliseconds. */
    public static final String FIRST_FAILURE_AT = "sluice_first_failure_at";
    /** Status of a claimed record. */
    public static final String INPROGRESS = "INPROGRESS";
    /** Status of a done record. */
    public static final String COMPLETED = "COMPLETED";

    private static final int MAX_DECISION_ROUNDS = 8;
    private static final long RELEASED_LEASE = 0;
    // new work, or a take-over that keeps the count (RecordStateMachine.Write.TAKE_OVER); a record has expired, and
    // a lease lapsed, at its expiry instant: the same boundary as the other stores
    private static final String TAKE_CONDITION = "attribute_not_exists(#id) OR (#expiration > :now_s"
            + " AND #status = :inprogress AND #lease <= :now_ms AND #validation = :fp)";
    private static final String TAKE_UPDATE = "SET #status = :inprogress, #expiration = :expiration, #lease = :lease,"
            + " #validation = :fp";
    private static final String HELD_CONDITION = "#status = :inprogress AND #lease = :token";

    private final DynamoDbClient client;
    private final String table;
    private final @Nullable String keyPrefix;
    private final @Nullable String powertoolsPrefix;

    private DynamoDbIdempotencyStore(Builder b) {
        this.client = Objects.requireNonNull(b.client);
        this.table = Objects.requireNonNull(b.table);
        this.keyPrefix = b.keyPrefix;
        this.powertoolsPrefix = b.powertoolsPrefix;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the table */
    public String table() {
        return table;
    }

    /**
     * @param key Sluice's idempotency key
     * @return the record's {@code id}: {@code <prefix>#<key>}, or the Powertools form in Powertools key mode
     */
    public String recordId(String key) {
        if (powertoolsPrefix != null) {
            return PowertoolsKeys.recordId(powertoolsPrefix, key);
        }
        return keyPrefix == null ? key : keyPrefix + "#" + key;
    }

    @Override
    public BeginResult begin(BeginRequest request) {
        String id = recordId(request.key());
        String token = Long.toString(request.leaseExpiresAt().toEpochMilli());
        Map<String, AttributeValue> old;
        try {
            UpdateItemResponse taken = client.updateItem(r -> r.tableName(table)
                    .key(Map.of(ID, s(id)))
                    .updateExpression(TAKE_UPDATE)
                    .conditionExpression(TAKE_CONDITION)
                    .expressionAttributeNames(DynamoDbRecords.names(TAKE_UPDATE, TAKE_CONDITION))
                    .expressionAttributeValues(Map.of(":now_s", n(request.now().getEpochSecond()),
                            ":now_ms", n(request.now().toEpochMilli()),
                            ":inprogress", s(INPROGRESS), ":fp", s(request.fingerprint()),
                            ":expiration", n(request.expiresAt().getEpochSecond()),
                            ":lease", n(request.leaseExpiresAt().toEpochMilli())))
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            // the count the record kept is the one the state machine carries over
            if (RecordStateMachine.begin(DynamoDbRecords.state(taken.attributes()), request)
                    instanceof RecordStateMachine.Acquire acquire) {
                return acquire.acquired(token);
            }
            return new BeginResult.Acquired(request.key(), request.fingerprint(), request.leaseExpiresAt(), token);
        } catch (ConditionalCheckFailedException e) {
            old = e.hasItem() ? e.item() : readFallback(id);
        }
        for (int round = 0; round < MAX_DECISION_ROUNDS; round++) {
            switch (RecordStateMachine.begin(DynamoDbRecords.state(old), request)) {
                case RecordStateMachine.Refuse refuse -> {
                    return refuse.result();
                }
                case RecordStateMachine.Acquire acquire -> {
                    Map<String, AttributeValue> values = new HashMap<>();
                    String condition = DynamoDbRecords.unchanged(old == null ? Map.of() : old, values);
                    try {
                        client.putItem(r -> r.tableName(table)
                                .item(DynamoDbRecords.item(id, acquire.record()))
                                .conditionExpression(condition)
                                .expressionAttributeNames(DynamoDbRecords.names(condition))
                                .expressionAttributeValues(values.isEmpty() ? null : values)
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                        return acquire.acquired(token);
                    } catch (ConditionalCheckFailedException e) {
                        old = e.hasItem() ? e.item() : readFallback(id); // another consumer changed it: decide again
                    }
                }
            }
        }
        throw new SluiceException("idempotency record '" + request.key() + "' changed " + MAX_DECISION_ROUNDS
                + " times while deciding; retry later");
    }

    @Override
    public java.util.Optional<dev.sluice.core.spi.RecordState> read(String key) {
        return java.util.Optional.ofNullable(DynamoDbRecords.state(readFallback(recordId(key))));
    }

    /** Only for a DynamoDB that does not return the old item on a failed condition (and for {@link #read}). */
    private @Nullable Map<String, AttributeValue> readFallback(String id) {
        return client.getItem(r -> r.tableName(table).key(Map.of(ID, s(id))).consistentRead(true)).item();
    }

    @Override
    public void complete(BeginResult.Acquired lease, Instant expiresAt, @Nullable IdempotencyTransaction transaction) {
        Update update = Update.builder()
                .tableName(table)
                .key(Map.of(ID, s(recordId(lease.key()))))
                .updateExpression("SET #status = :completed, #expiration = :expiration REMOVE #failures, #first")
                .conditionExpression(HELD_CONDITION)
                .expressionAttributeNames(Map.of("#status", STATUS, "#expiration", EXPIRATION, "#lease", IN_PROGRESS_EXPIRATION,
                        "#failures", FAILURES, "#first", FIRST_FAILURE_AT))
                .expressionAttributeValues(Map.of(":completed", s(COMPLETED), ":expiration", n(expiresAt.getEpochSecond()),
                        ":inprogress", s(INPROGRESS), ":token", n(Long.parseLong(lease.token()))))
                .build();
        if (transaction == null) {
            try {
                client.updateItem(r -> r.tableName(update.tableName()).key(update.key())
                        .updateExpression(update.updateExpression())
                        .conditionExpression(update.conditionExpression())
                        .expressionAttributeNames(update.expressionAttributeNames())
                        .expressionAttributeValues(update.expressionAttributeValues()));
            } catch (ConditionalCheckFailedException e) {
                throw new SluiceException("idempotency record '" + lease.key() + "' is no longer held by this lease", e);
            }
            return;
        }
        if (!(transaction instanceof DynamoDbTransaction tx)) {
            throw new IllegalArgumentException("transaction must be a DynamoDbTransaction, got " + transaction.getClass().getName());
        }
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().update(update).build());
        items.addAll(tx.items());
        // a retried call after a commit whose response was lost must not fail: same token, same outcome
        String requestToken = UUID.nameUUIDFromBytes((table + "|" + lease.key() + "|" + lease.token())
                .getBytes(StandardCharsets.UTF_8)).toString();
        try {
            client.transactWriteItems(r -> r.transactItems(items).clientRequestToken(requestToken));
        } catch (TransactionCanceledException e) {
            throw new SluiceException("transaction cancelled, nothing committed: " + DynamoDbTransaction.reasons(e), e);
        }
    }

    @Override
    public void release(BeginResult.Acquired lease, Release release) {
        // an ended lease is written as 0, not as the release time: Powertools 1.15 compares in_progress_expiration
        // (milliseconds) with the time in seconds, so only a value below that reads as free to it
        long until = release.leaseExpiresAt().isBefore(lease.leaseExpiresAt()) ? RELEASED_LEASE
                : release.leaseExpiresAt().toEpochMilli();
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":inprogress", s(INPROGRESS),
                ":token", n(Long.parseLong(lease.token())), ":until", n(until)));
        String update;
        if (release.firstFailureAt() != null) {
            update = "SET #lease = :until, #failures = :failures, #first = :first";
            values.put(":failures", n(release.failures()));
            values.put(":first", n(release.firstFailureAt().toEpochMilli()));
        } else {
            update = "SET #lease = :until REMOVE #failures, #first";
        }
        try {
            client.updateItem(r -> r.tableName(table)
                    .key(Map.of(ID, s(recordId(lease.key()))))
                    .updateExpression(update)
                    .conditionExpression(HELD_CONDITION)
                    .expressionAttributeNames(DynamoDbRecords.names(update, HELD_CONDITION))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            // no longer ours (lapsed and taken over): nothing to count
        }
    }

    @Override
    public IdempotencyTransaction openTransaction(BeginResult.Acquired lease) {
        return new DynamoDbTransaction();
    }

    @Override
    public boolean supportsTransactions() {
        return true;
    }

    @Override
    public String toString() {
        return "DynamoDbIdempotencyStore[table=" + table + ", keys=" + (powertoolsPrefix != null ? "powertools" : "sluice") + "]";
    }

    /** Builds a {@link DynamoDbIdempotencyStore}; {@code client} and {@code table} are required. */
    public static final class Builder {
        private @Nullable DynamoDbClient client;
        private @Nullable String table;
        private @Nullable String keyPrefix;
        private @Nullable String powertoolsPrefix;

        private Builder() {}

        /** @param client the DynamoDB client @return this */
        public Builder client(DynamoDbClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** @param table the table name @return this */
        public Builder table(String table) {
            this.table = table;
            return this;
        }

        /**
         * @param keyPrefix prepended to keys as {@code <prefix>#<key>} (e.g. the queue name, so consumers can
         *     share a table), or null for none
         * @return this
         */
        public Builder keyPrefix(@Nullable String keyPrefix) {
            this.keyPrefix = keyPrefix == null || keyPrefix.isBlank() ? null : keyPrefix;
            return this;
        }

        /**
         * Derives record ids exactly as Powertools for AWS Lambda (Java) v1 does:
         * {@code <functionName>.<handlerName>#<md5 of the key>}. Configure Sluice's key pointer to select
         * the value Powertools' {@code eventKeyJMESPath} selected (e.g. {@code /orderId} for
         * {@code orderId}).
         *
         * @param functionName the Lambda function's name ({@code AWS_LAMBDA_FUNCTION_NAME})
         * @param handlerName the name of the method Powertools' {@code @Idempotent} annotated
         * @return this
         */
        public Builder powertoolsKeys(String functionName, String handlerName) {
            Objects.requireNonNull(functionName, "functionName");
            Objects.requireNonNull(handlerName, "handlerName");
            this.powertoolsPrefix = handlerName.isEmpty() ? functionName : functionName + "." + handlerName;
            return this;
        }

        /** @return the store @throws IllegalArgumentException naming the missing property */
        public DynamoDbIdempotencyStore build() {
            if (client == null) {
                throw new IllegalArgumentException("client is required");
            }
            if (table == null || table.isBlank()) {
                throw new IllegalArgumentException("table is required");
            }
            if (keyPrefix != null && powertoolsPrefix != null) {
                throw new IllegalArgumentException("keyPrefix cannot be combined with powertoolsKeys");
            }
            return new DynamoDbIdempotencyStore(this);
        }
    }
}
