package dev.sluice.aws;

import dev.sluice.core.spi.IdempotencyTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

/**
 * The writes a handler adds in transactional mode. They commit in one {@code TransactWriteItems} together
 * with the idempotency record turning {@code COMPLETED}: all of them or none. Obtain it in a handler with
 * {@code context.transaction(DynamoDbTransaction.class)}. A transaction holds at most
 * {@value #MAX_HANDLER_WRITES} writes (DynamoDB's limit of 100 items, one of which is the record).
 * Thread-safe.
 */
public final class DynamoDbTransaction implements IdempotencyTransaction {
    /** The most writes a handler may add. */
    public static final int MAX_HANDLER_WRITES = 99;

    private final List<TransactWriteItem> items = new ArrayList<>();

    DynamoDbTransaction() {}

    /**
     * @param table the table
     * @param item the item to put
     * @return this
     */
    public DynamoDbTransaction put(String table, Map<String, AttributeValue> item) {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(item, "item");
        return add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build());
    }

    /** @param put a put, with any condition @return this */
    public DynamoDbTransaction put(Put put) {
        return add(TransactWriteItem.builder().put(Objects.requireNonNull(put, "put")).build());
    }

    /** @param update an update, with any condition @return this */
    public DynamoDbTransaction update(Update update) {
        return add(TransactWriteItem.builder().update(Objects.requireNonNull(update, "update")).build());
    }

    /** @param delete a delete, with any condition @return this */
    public DynamoDbTransaction delete(Delete delete) {
        return add(TransactWriteItem.builder().delete(Objects.requireNonNull(delete, "delete")).build());
    }

    /** @param check a condition that must hold for the transaction to commit @return this */
    public DynamoDbTransaction conditionCheck(ConditionCheck check) {
        return add(TransactWriteItem.builder().conditionCheck(Objects.requireNonNull(check, "check")).build());
    }

    /**
     * @param item any transactional write
     * @return this
     * @throws IllegalStateException when the transaction is full
     */
    public synchronized DynamoDbTransaction add(TransactWriteItem item) {
        Objects.requireNonNull(item, "item");
        if (items.size() >= MAX_HANDLER_WRITES) {
            throw new IllegalStateException("a DynamoDB transaction holds at most " + MAX_HANDLER_WRITES
                    + " handler writes besides the idempotency record");
        }
        items.add(item);
        return this;
    }

    /** @return the writes added so far, in order */
    public synchronized List<TransactWriteItem> items() {
        return List.copyOf(items);
    }

    @Override
    public synchronized int size() {
        return items.size();
    }

    /** @return one {@code name=code} per item of a cancelled commit: the idempotency record first, then the writes */
    static String reasons(TransactionCanceledException e) {
        if (!e.hasCancellationReasons()) {
            return String.valueOf(e.getMessage());
        }
        List<String> codes = new ArrayList<>();
        List<CancellationReason> reasons = e.cancellationReasons();
        for (int i = 0; i < reasons.size(); i++) {
            codes.add((i == 0 ? "idempotency record" : "write " + i) + "=" + reasons.get(i).code());
        }
        return String.join(", ", codes);
    }
}
