package dev.sluice.aws.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The floor under a batch with idempotency: the store requests guard mode makes for each message, sent
 * directly with the SDK, every message of the batch concurrently, with nothing else (no decoding, no
 * pipeline, no handler). A new message costs a conditional {@code PutItem} then an {@code UpdateItem}; a
 * duplicate one failed conditional {@code PutItem} that returns the old item.
 */
final class StoreFloor {
    private final DynamoDbClient client;
    private final String table;

    StoreFloor(DynamoDbClient client, String table) {
        this.client = client;
        this.table = table;
    }

    /**
     * @param ids the record ids of one batch
     * @param expectNew true for a batch never seen (begin succeeds, then complete), false for a replay
     */
    void batch(List<String> ids, boolean expectNew) {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> calls = new ArrayList<>();
            for (String id : ids) {
                calls.add(threads.submit(() -> message(id, expectNew)));
            }
            for (Future<?> call : calls) {
                call.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("floor batch failed", e);
        }
    }

    private void message(String id, boolean expectNew) {
        Instant now = Instant.now();
        try {
            client.putItem(r -> r.tableName(table)
                    .item(Map.of("id", s(id), "status", s("INPROGRESS"), "expiration", n(now.plusSeconds(86_400).getEpochSecond()),
                            "in_progress_expiration", n(now.plusSeconds(300).toEpochMilli()), "validation", s("0".repeat(64))))
                    .conditionExpression("attribute_not_exists(#id) OR #expiration < :now_s")
                    .expressionAttributeNames(Map.of("#id", "id", "#expiration", "expiration"))
                    .expressionAttributeValues(Map.of(":now_s", n(now.getEpochSecond())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        } catch (ConditionalCheckFailedException duplicate) {
            if (expectNew) {
                throw duplicate;
            }
            return;
        }
        if (!expectNew) {
            throw new IllegalStateException("a replayed record was free: " + id);
        }
        client.updateItem(r -> r.tableName(table).key(Map.of("id", s(id)))
                .updateExpression("SET #status = :completed")
                .conditionExpression("#status = :inprogress")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":completed", s("COMPLETED"), ":inprogress", s("INPROGRESS"))));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    private static AttributeValue n(long value) {
        return AttributeValue.builder().n(Long.toString(value)).build();
    }
}
