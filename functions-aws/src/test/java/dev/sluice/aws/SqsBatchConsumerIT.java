package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.local.PollResult;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.OrderEventsFunction;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.RequestCounter;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.pipeline.BackoffStrategy;
import dev.sluice.core.pipeline.RetryPolicy;
import dev.sluice.core.redrive.JsonLinesAuditLog;
import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

@ExtendWith(Engines.class)
class SqsBatchConsumerIT {
    @TempDir
    Path dir;

    private final RequestCounter sqsRequests = new RequestCounter();
    private SqsClient sqs;
    private DynamoDbClient dynamo;

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs(), sqsRequests);
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        dynamo.close();
    }

    private SqsBatchConsumer.Builder<Order> consumer(Queues.Pair queue, MessageHandler<Order> handler) {
        return SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName(queue.name()).maxAttempts(5).build())
                .sqsClient(sqs).handler(handler).metrics(new InMemoryMetrics()).logSink(event -> { }).snapStartPriming(false);
    }

    private LocalEventSourceMapping esm(Queues.Pair queue, OrderEventsFunction function) {
        return LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url()).function(function).build();
    }

    private void send(Queues.Pair queue, String body, Map<String, String> attributes) {
        Map<String, MessageAttributeValue> typed = new LinkedHashMap<>();
        attributes.forEach((k, v) -> typed.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(body).messageAttributes(typed));
    }

    @Test
    void aBatchThatSucceeds_costsNoSqsRequestBeyondTheEventSourceMapping() {
        // GIVEN a healthy handler
        Queues.Pair queue = Queues.create(sqs, "happy", false, 30, 5);
        OrderEventsFunction function = new OrderEventsFunction(consumer(queue, (m, c) -> { }).build());
        send(queue, Messages.order("o-1", "1"), Map.of());
        send(queue, Messages.order("o-2", "2"), Map.of());
        sqsRequests.reset();
        // WHEN one batch is handled
        PollResult result;
        try (LocalEventSourceMapping esm = esm(queue, function)) {
            result = esm.pollOnce();
        }
        // THEN both are deleted, and the function itself made no SQS call (only the ESM received and deleted)
        assertThat(result.deleted()).isEqualTo(2);
        assertThat(sqsRequests.snapshot().keySet()).containsOnly("ReceiveMessage", "GetQueueAttributes", "DeleteMessageBatch");
    }

    @Test
    void aRetry_isABatchItemFailure_whoseVisibilityIsSetToTheBackoff() {
        // GIVEN a handler that fails, and a fixed 30-second backoff on a queue whose own visibility timeout is 2 seconds
        Queues.Pair queue = Queues.create(sqs, "retry", false, 2, 5);
        OrderEventsFunction function = new OrderEventsFunction(consumer(queue, (m, c) -> {
            throw new IllegalStateException("downstream unavailable");
        }).processor(p -> p.retryPolicy(new RetryPolicy(5, BackoffStrategy.fixed(Duration.ofSeconds(30))))).build());
        send(queue, Messages.order("o-3", "3"), Map.of());
        sqsRequests.reset();
        // WHEN the batch is handled
        PollResult result;
        try (LocalEventSourceMapping esm = esm(queue, function)) {
            result = esm.pollOnce();
        }
        // THEN the message is reported failed, not deleted, and hidden by one batched visibility change
        assertThat(result.failed()).isEqualTo(1);
        assertThat(sqsRequests.calls("ChangeMessageVisibilityBatch")).isEqualTo(1);
        assertThat(sqsRequests.calls("DeleteMessageBatch")).isZero();
        // AND it is still in the queue, in flight, after the queue's own 2-second timeout would have ended
        sleep(Duration.ofSeconds(3));
        assertThat(Queues.receiveAll(sqs, queue.url())).isEmpty();
        assertThat(sqs.getQueueAttributes(r -> r.queueUrl(queue.url()).attributeNamesWithStrings("ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings()).containsEntry("ApproximateNumberOfMessagesNotVisible", "1");
    }

    @Test
    void aDeadLetterThatCannotBeSent_fallsBackToRetry_andIsNeverLost() {
        // GIVEN a consumer whose dead-letter queue URL names a queue that does not exist, and no backoff
        Queues.Pair queue = Queues.create(sqs, "fallback", false, 30, 5);
        String missingDlq = queue.dlqUrl() + "-deleted";
        OrderEventsFunction function = new OrderEventsFunction(consumer(queue, (m, c) -> { })
                .deadLetterQueueUrl(missingDlq)
                .processor(p -> p.retryPolicy(new RetryPolicy(5, BackoffStrategy.fixed(Duration.ZERO)))).build());
        send(queue, "{not json", Map.of());
        // WHEN the poison message is handled
        PollResult first;
        try (LocalEventSourceMapping esm = esm(queue, function)) {
            first = esm.pollOnce();
        }
        // THEN it is reported failed instead of deleted, and comes straight back for another try
        assertThat(first.failed()).isEqualTo(1);
        List<Message> again = Queues.receiveAll(sqs, queue.url());
        assertThat(again).singleElement().satisfies(m -> {
            assertThat(m.body()).isEqualTo("{not json");
            assertThat(m.attributesAsStrings()).containsEntry("ApproximateReceiveCount", "2");
        });
    }

    @Test
    void aDeadLetterWithManyAttributes_staysWithinSqsLimit_andRedriveRestoresEveryAttribute() {
        // GIVEN a producer that sets 8 attributes of its own on a message the handler rejects
        Queues.Pair queue = Queues.create(sqs, "packed", false, 30, 5);
        AtomicReference<Map<String, String>> seen = new AtomicReference<>();
        OrderEventsFunction function = new OrderEventsFunction(consumer(queue, (m, c) -> {
            seen.set(m.attributes());
            if (m.body().amount().signum() < 0) {
                throw new dev.sluice.core.PermanentFailureException("negative amount");
            }
        }).build());
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 1; i <= 7; i++) {
            attributes.put("app-" + i, "value-" + i);
        }
        attributes.put("correlation-id", "corr-9");
        send(queue, Messages.order("o-9", "-1"), attributes);
        // WHEN it is dead-lettered (9 envelope attributes + 8 originals), then redriven after a fix
        try (LocalEventSourceMapping esm = esm(queue, function)) {
            esm.pollOnce();
            List<Message> dead = Queues.receiveAll(sqs, queue.dlqUrl());
            // THEN the dead letter has at most 10 SQS attributes, failure kind and stable id readable in the console
            assertThat(dead).singleElement().satisfies(m -> {
                assertThat(m.messageAttributes()).hasSizeLessThanOrEqualTo(10)
                        .containsKeys("sluice-failure-kind", "sluice-original-message-id", "sluice-packed-attributes");
                sqs.changeMessageVisibility(r -> r.queueUrl(queue.dlqUrl()).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
            });
            SqsRedrive.builder().sqsClient(sqs).deadLetterQueueUrl(queue.dlqUrl()).targetQueueUrl(queue.url())
                    .auditLog(new JsonLinesAuditLog(dir.resolve("audit.jsonl"))).build()
                    .redrive(RedriveRequest.builder().operator("test").confirmed(true).build(), RedriveListener.NONE);
            esm.pollOnce();
        }
        // AND the redriven copy reaches the handler with every original attribute, the stable id and the redrive count
        assertThat(seen.get()).containsAllEntriesOf(attributes)
                .containsEntry("sluice-redrive-count", "1")
                .containsKey("sluice-original-message-id")
                .doesNotContainKeys("sluice-failure-kind", "sluice-packed-attributes");
    }

    @Test
    void anAdapterFailure_reportsTheWholeBatchAsFailed_neverSilentlyDropsIt() {
        // GIVEN a consumer whose SQS client is closed, so dead-lettering and visibility changes throw
        Queues.Pair queue = Queues.create(sqs, "closed", false, 30, 5);
        SqsClient closed = AwsTestClients.sqs(Engines.sqs());
        closed.close();
        SqsBatchConsumer<Order> consumer = consumer(queue, (m, c) -> { }).sqsClient(closed).build();
        // WHEN a poison message cannot be dead-lettered
        SQSBatchResponse response = consumer.handle(dev.sluice.aws.testing.Events.of(
                dev.sluice.aws.testing.Events.record("m-1", "{broken", Map.of())), null);
        // THEN it is reported as a batch item failure: SQS keeps it
        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier).containsExactly("m-1");
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
