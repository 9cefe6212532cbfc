package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The DynamoDB behaviours, as AWS documents them, that Sluice's idempotency store rests on, checked on the
 * engine the tests run against (moto by default, or {@code SLUICE_TEST_DYNAMODB_ENDPOINT}). A failure here
 * means the engine departs from DynamoDB, so the store's tests on it would prove nothing.
 */
@ExtendWith(Engines.class)
class DynamoDbEngineContractIT {
    private DynamoDbClient dynamo;
    private String table;

    @BeforeEach
    void setUp() {
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
        table = Tables.create(dynamo, "engine");
        dynamo.putItem(r -> r.tableName(table).item(Map.of("id", s("taken"), "status", s("COMPLETED"))));
    }

    @AfterEach
    void tearDown() {
        dynamo.close();
    }

    @Test
    void aFailedConditionalPut_returnsTheOldItem_whenAskedForAllOld() {
        // WHEN a begin-style write meets an existing record
        ConditionalCheckFailedException failure = catchThrowableOfType(ConditionalCheckFailedException.class,
                () -> dynamo.putItem(r -> r.tableName(table).item(Map.of("id", s("taken"), "status", s("IN_PROGRESS")))
                        .conditionExpression("attribute_not_exists(id)")
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));

        // THEN the duplicate is recognised from the failure alone: no read needed
        assertThat(failure).isNotNull();
        assertThat(failure.item()).containsEntry("status", s("COMPLETED"));
    }

    @Test
    void aFailedConditionalUpdateAndDelete_returnTheOldItem_whenAskedForAllOld() {
        ConditionalCheckFailedException update = catchThrowableOfType(ConditionalCheckFailedException.class,
                () -> dynamo.updateItem(r -> r.tableName(table).key(Map.of("id", s("taken")))
                        .updateExpression("SET #s = :new").conditionExpression("#s = :expected")
                        .expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":new", s("COMPLETED"), ":expected", s("IN_PROGRESS")))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));
        ConditionalCheckFailedException delete = catchThrowableOfType(ConditionalCheckFailedException.class,
                () -> dynamo.deleteItem(r -> r.tableName(table).key(Map.of("id", s("taken")))
                        .conditionExpression("#s = :expected")
                        .expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":expected", s("IN_PROGRESS")))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)));

        assertThat(update.item()).containsEntry("status", s("COMPLETED"));
        assertThat(delete.item()).containsEntry("status", s("COMPLETED"));
        assertThat(Tables.item(dynamo, table, "taken")).containsEntry("status", s("COMPLETED"));
    }

    @Test
    void aCancelledTransaction_carriesOneReasonPerItem_withTheOldItemOfTheFailedCondition() {
        // GIVEN state the handler changes in the same transaction
        dynamo.putItem(r -> r.tableName(table).item(Map.of("id", s("balance"), "cents", n(100))));

        // WHEN a transactional complete meets a record that is no longer ours, after the handler's own writes
        TransactionCanceledException cancelled = catchThrowableOfType(TransactionCanceledException.class,
                () -> dynamo.transactWriteItems(r -> r.transactItems(
                        TransactWriteItem.builder().update(u -> u.tableName(table).key(Map.of("id", s("balance")))
                                .updateExpression("SET cents = cents + :amount")
                                .expressionAttributeValues(Map.of(":amount", n(25)))).build(),
                        TransactWriteItem.builder().put(Put.builder().tableName(table)
                                .item(Map.of("id", s("taken"), "status", s("COMPLETED")))
                                .conditionExpression("#s = :expected")
                                .expressionAttributeNames(Map.of("#s", "status"))
                                .expressionAttributeValues(Map.of(":expected", s("IN_PROGRESS")))
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                                .build()).build(),
                        TransactWriteItem.builder().put(Put.builder().tableName(table)
                                .item(Map.of("id", s("effect"))).build()).build())));

        // THEN the reasons name which write failed and why, and nothing was written
        assertThat(cancelled).isNotNull();
        assertThat(cancelled.hasCancellationReasons()).isTrue();
        List<CancellationReason> reasons = cancelled.cancellationReasons();
        assertThat(reasons).extracting(CancellationReason::code).containsExactly("None", "ConditionalCheckFailed", "None");
        assertThat(reasons.get(1).item()).containsEntry("status", s("COMPLETED"));
        assertThat(Tables.item(dynamo, table, "balance")).containsEntry("cents", n(100));
        assertThat(Tables.item(dynamo, table, "effect")).isEmpty();
        assertThat(Tables.item(dynamo, table, "taken")).containsEntry("status", s("COMPLETED"));
    }

    @Test
    void concurrentConditionalPutsOnOneKey_haveExactlyOneWinner() throws Exception {
        int threads = 16;
        int keys = 40;
        List<Integer> winnersPerKey = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int k = 0; k < keys; k++) {
                String key = "race-" + k;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> attempts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    attempts.add(pool.submit(() -> {
                        start.await();
                        try {
                            dynamo.putItem(r -> r.tableName(table).item(Map.of("id", s(key)))
                                    .conditionExpression("attribute_not_exists(id)"));
                            return true;
                        } catch (ConditionalCheckFailedException lost) {
                            return false;
                        }
                    }));
                }
                int winners = 0;
                for (Future<Boolean> attempt : attempts) {
                    winners += attempt.get() ? 1 : 0;
                }
                winnersPerKey.add(winners);
            }
        }
        assertThat(winnersPerKey).containsOnly(1);
    }

    @Test
    void anItemPastItsTtl_isStillReadable_soExpiryMustComeFromTheStoresOwnConditions() {
        // DynamoDB deletes expired items in the background, within days, and reads return them until then;
        // moto never deletes them. Either way a record past its expiry must not count as present.
        long past = Instant.now().minusSeconds(3_600).getEpochSecond();
        dynamo.updateTimeToLive(r -> r.tableName(table).timeToLiveSpecification(t -> t.enabled(true).attributeName("expiration")));
        dynamo.putItem(r -> r.tableName(table).item(Map.of("id", s("expired"), "expiration", n(past))));

        assertThat(Tables.item(dynamo, table, "expired")).containsEntry("expiration", n(past));
        dynamo.putItem(r -> r.tableName(table).item(Map.of("id", s("expired"), "status", s("IN_PROGRESS"), "expiration", n(past + 7_200)))
                .conditionExpression("attribute_not_exists(id) OR expiration < :now")
                .expressionAttributeValues(Map.of(":now", n(Instant.now().getEpochSecond()))));
        assertThat(Tables.item(dynamo, table, "expired")).containsEntry("status", s("IN_PROGRESS"));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    private static AttributeValue n(long value) {
        return AttributeValue.builder().n(Long.toString(value)).build();
    }
}
