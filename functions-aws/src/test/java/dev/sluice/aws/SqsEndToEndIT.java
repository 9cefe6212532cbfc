package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Consumers;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.OrderEventsFunction;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.ScriptedOrderHandler;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

@ExtendWith(Engines.class)
class SqsEndToEndIT {
    private SqsClient sqs;
    private DynamoDbClient dynamo;

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        dynamo.close();
    }

    private static SendMessageBatchRequestEntry entry(String id, String body) {
        return SendMessageBatchRequestEntry.builder().id(id).messageBody(body)
                .messageAttributes(Map.of("correlation-id", MessageAttributeValue.builder().dataType("String").stringValue("corr-" + id).build()))
                .build();
    }

    @Test
    void aMixedBatch_endsWithEveryMessageProcessedOnceOrDeadLetteredWithItsKind_noneLost() {
        // GIVEN a queue with a real redrive policy (maxReceiveCount 5) and the example function on the local ESM
        Queues.Pair queue = Queues.create(sqs, "orders", false, 2, 5);
        String table = Tables.create(dynamo, "idempotency");
        ScriptedOrderHandler handler = new ScriptedOrderHandler(Map.of("t-1", 2));
        InMemoryMetrics metrics = new InMemoryMetrics();
        OrderEventsFunction function = new OrderEventsFunction(Consumers.orders(queue, table, sqs, dynamo, handler, metrics));
        // AND a batch: good orders, a duplicate of one, one failing twice then succeeding, one always failing,
        // one the handler rejects (negative amount), one that is not JSON
        List<SendMessageBatchRequestEntry> batch = List.of(
                entry("good1", Messages.order("g-1", "10")),
                entry("good2", Messages.order("g-2", "20")),
                entry("good3", Messages.order("g-3", "30")),
                entry("dup", Messages.order("g-1", "10")),
                entry("transient", Messages.order("t-1", "40")),
                entry("exhausted", Messages.order("x-1", "50")),
                entry("permanent", Messages.order("p-1", "-5")),
                entry("undecodable", "{not json"));
        Set<String> sentIds = sqs.sendMessageBatch(r -> r.queueUrl(queue.url()).entries(batch)).successful().stream()
                .map(s -> s.messageId()).collect(Collectors.toSet());
        assertThat(sentIds).hasSize(8);

        // WHEN the event source mapping polls until the queue is empty
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function(function).batchSize(10).build()) {
            assertThat(esm.drain(Duration.ofSeconds(60))).as("queue drained").isTrue();
        }

        // THEN every good order (and the transient one, on its third attempt) was handled exactly once
        assertThat(List.of("g-1", "g-2", "g-3", "t-1")).allSatisfy(id -> assertThat(handler.successes(id)).as(id).isEqualTo(1));
        assertThat(handler.attempts("t-1")).isEqualTo(3);
        assertThat(metrics.total(SluiceMetrics.DUPLICATE)).isEqualTo(1);
        // AND the dead-letter queue holds the three failures with the right kind, body unchanged, id kept
        List<Message> dead = Queues.receiveAll(sqs, queue.dlqUrl());
        Map<String, String> kindByBody = dead.stream().collect(Collectors.toMap(Message::body,
                m -> m.messageAttributes().get("sluice-failure-kind").stringValue()));
        assertThat(kindByBody).containsExactlyInAnyOrderEntriesOf(Map.of(
                Messages.order("x-1", "50"), "EXHAUSTED",
                Messages.order("p-1", "-5"), "PERMANENT",
                "{not json", "POISON"));
        assertThat(dead).allSatisfy(m -> {
            assertThat(sentIds).contains(m.messageAttributes().get("sluice-original-message-id").stringValue());
            assertThat(m.messageAttributes()).hasSizeLessThanOrEqualTo(10);
        });
        assertThat(handler.attempts("x-1")).isEqualTo(3);
        // AND nothing was lost: every sent message was processed, skipped as a duplicate or dead-lettered
        long done = metrics.total(SluiceMetrics.COMPLETED) + metrics.total(SluiceMetrics.DUPLICATE) + dead.size();
        assertThat(done).isEqualTo(8);
        Set<String> deadIds = new HashSet<>();
        dead.forEach(m -> deadIds.add(m.messageAttributes().get("sluice-original-message-id").stringValue()));
        assertThat(deadIds).hasSize(3);
    }

    @Test
    void aFifoQueue_keepsPerGroupOrderUnderFailures() {
        // GIVEN a FIFO queue pair and two groups of five orders; a-2 fails once, b-3 is not decodable
        Queues.Pair queue = Queues.create(sqs, "fifo-orders", true, 2, 5);
        String table = Tables.create(dynamo, "idempotency");
        ScriptedOrderHandler handler = new ScriptedOrderHandler(Map.of("a-2", 1));
        OrderEventsFunction function = new OrderEventsFunction(
                Consumers.orders(queue, table, sqs, dynamo, handler, new InMemoryMetrics()));
        for (int i = 1; i <= 5; i++) {
            for (String group : List.of("a", "b")) {
                String body = group.equals("b") && i == 3 ? "{broken" : Messages.order(group + "-" + i, Integer.toString(i));
                String dedup = group + i;
                sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(body).messageGroupId(group).messageDeduplicationId(dedup));
            }
        }
        // WHEN the event source mapping polls until the queue is empty
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function(function).batchSize(10).build()) {
            assertThat(esm.drain(Duration.ofSeconds(60))).as("queue drained").isTrue();
        }
        // THEN each group was handled in send order, a-2's retry before a-3, and b-3 skipped to the DLQ
        assertThat(handler.successOrderByGroup()).isEqualTo(Map.of(
                "a", List.of("a-1", "a-2", "a-3", "a-4", "a-5"),
                "b", List.of("b-1", "b-2", "b-4", "b-5")));
        List<Message> dead = Queues.receiveAll(sqs, queue.dlqUrl());
        assertThat(dead).singleElement().satisfies(m -> {
            assertThat(m.body()).isEqualTo("{broken");
            assertThat(m.messageAttributes().get("sluice-failure-kind").stringValue()).isEqualTo("POISON");
            assertThat(m.attributesAsStrings()).containsEntry("MessageGroupId", "b");
        });
    }
}
