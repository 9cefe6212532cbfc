package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Events;
import dev.sluice.aws.testing.FailureInjector;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.pipeline.MessageOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;

@ExtendWith(Engines.class)
class TransactionalModeIT {
    private final FailureInjector network = new FailureInjector("TransactWriteItems");
    private DynamoDbClient dynamo;
    private String idempotencyTable;
    private String ordersTable;
    private final AtomicInteger executions = new AtomicInteger();

    @BeforeEach
    void setUp() {
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb(), network);
        idempotencyTable = Tables.create(dynamo, "idempotency");
        ordersTable = Tables.create(dynamo, "orders");
    }

    @AfterEach
    void tearDown() {
        dynamo.close();
    }

    /** The handler stores the order in the same database, through the transaction, only if it is new. */
    private MessageHandler<Order> storeOrder() {
        return (message, context) -> {
            executions.incrementAndGet();
            Order order = message.body();
            context.transaction(DynamoDbTransaction.class).put(Put.builder().tableName(ordersTable)
                    .item(Map.of("id", AttributeValue.builder().s(order.orderId()).build(),
                            "amount", AttributeValue.builder().n(order.amount().toPlainString()).build()))
                    .conditionExpression("attribute_not_exists(id)")
                    .build());
        };
    }

    private SqsBatchConsumer<Order> consumer() {
        return SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName("order-events").idempotencyTable(idempotencyTable)
                        .idempotencyKeyPointer("/orderId").maxAttempts(5).build())
                .idempotencyMode(IdempotencyMode.TRANSACTIONAL)
                .sqsClient(AwsTestClients.sqs(Engines.sqs()))
                .dynamoDbClient(dynamo)
                .handler(storeOrder())
                .logSink(event -> { }).snapStartPriming(false).build();
    }

    private MessageOutcome process(SqsBatchConsumer<Order> consumer, String messageId, String body) {
        return consumer.outcomes(Events.of(Events.record(messageId, body, Map.of())), Instant.MAX).getFirst();
    }

    @Test
    void theHandlersWriteAndTheCompletedRecord_commitTogether() {
        // GIVEN transactional mode
        SqsBatchConsumer<Order> consumer = consumer();
        // WHEN a new order is processed, then delivered again
        MessageOutcome first = process(consumer, "m-1", Messages.order("o-1", "12"));
        MessageOutcome second = process(consumer, "m-2", Messages.order("o-1", "12"));
        // THEN the order row and the COMPLETED record both exist, and the redelivery was a duplicate
        assertThat(first).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(second).isInstanceOf(MessageOutcome.Duplicate.class);
        assertThat(Tables.item(dynamo, ordersTable, "o-1").get("amount").n()).isEqualTo("12");
        assertThat(Tables.item(dynamo, idempotencyTable, "order-events#o-1").get("status").s()).isEqualTo("COMPLETED");
        assertThat(executions).hasValue(1);
    }

    @Test
    void aFailureBetweenHandlerAndCommit_leavesNeitherTheWriteNorTheRecord_andTheRetryCommitsBothOnce() {
        // GIVEN the handler ran, but the commit request is lost to a network failure
        SqsBatchConsumer<Order> consumer = consumer();
        network.failNext(1);
        // WHEN the message is processed
        MessageOutcome failed = process(consumer, "m-3", Messages.order("o-2", "7"));
        // THEN it is retried, the order row does not exist, and the record was released with the failure counted
        assertThat(failed).isInstanceOf(MessageOutcome.Retry.class);
        assertThat(Tables.item(dynamo, ordersTable, "o-2")).isEmpty();
        assertReleasedAfterOneFailure("order-events#o-2");
        // WHEN it is redelivered
        MessageOutcome retried = process(consumer, "m-3", Messages.order("o-2", "7"));
        // THEN both commit, once
        assertThat(retried).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(Tables.item(dynamo, ordersTable, "o-2")).isNotEmpty();
        assertThat(Tables.item(dynamo, idempotencyTable, "order-events#o-2").get("status").s()).isEqualTo("COMPLETED");
        assertThat(Tables.count(dynamo, ordersTable)).isEqualTo(1);
    }

    @Test
    void aHandlerWriteWhoseConditionFails_cancelsTheWholeTransaction_soTheRecordIsNotCompleted() {
        // GIVEN the order row already exists (written by someone else), so the handler's conditional put fails
        dynamo.putItem(r -> r.tableName(ordersTable).item(Map.of("id", AttributeValue.builder().s("o-3").build(),
                "amount", AttributeValue.builder().n("1").build())));
        SqsBatchConsumer<Order> consumer = consumer();
        // WHEN the message is processed
        MessageOutcome outcome = process(consumer, "m-4", Messages.order("o-3", "99"));
        // THEN nothing of it committed: the row is unchanged and the record is released, not COMPLETED
        assertThat(outcome).isInstanceOf(MessageOutcome.Retry.class);
        assertThat(Tables.item(dynamo, ordersTable, "o-3").get("amount").n()).isEqualTo("1");
        assertReleasedAfterOneFailure("order-events#o-3");
        assertThat(List.of(executions.get())).containsExactly(1);
    }

    private void assertReleasedAfterOneFailure(String id) {
        Map<String, AttributeValue> record = Tables.item(dynamo, idempotencyTable, id);
        assertThat(record.get("status").s()).isEqualTo("INPROGRESS");
        assertThat(record.get("in_progress_expiration").n()).isEqualTo("0");
        assertThat(record.get("sluice_failures").n()).isEqualTo("1");
    }
}
