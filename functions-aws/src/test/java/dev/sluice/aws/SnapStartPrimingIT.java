package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.RequestCounter;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.config.SluiceConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

@ExtendWith(Engines.class)
class SnapStartPrimingIT {

    @Test
    void primingBeforeACheckpoint_warmsPipelineAndClients_withoutRunningTheHandlerOrWritingAnything() {
        RequestCounter sqsRequests = new RequestCounter();
        RequestCounter dynamoRequests = new RequestCounter();
        try (SqsClient sqs = AwsTestClients.sqs(Engines.sqs(), sqsRequests);
             DynamoDbClient dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb(), dynamoRequests)) {
            // GIVEN a consumer with an idempotency table, as the example function builds it at init
            Queues.Pair queue = Queues.create(sqs, "snapstart", false, 30, 5);
            String table = Tables.create(dynamo, "idempotency");
            AtomicInteger handled = new AtomicInteger();
            SqsBatchConsumer<Order> consumer = SqsBatchConsumer.builder(Order.class)
                    .config(SluiceConfig.builder().queueName(queue.name()).idempotencyTable(table).build())
                    .sqsClient(sqs).dynamoDbClient(dynamo)
                    .handler((m, c) -> handled.incrementAndGet())
                    .logSink(event -> { }).snapStartPriming(true).build();
            sqsRequests.reset();
            dynamoRequests.reset();
            // WHEN the runtime is about to take the snapshot
            Map<String, Long> steps = consumer.prime();
            // THEN every step succeeded, each client made one read-only request, and nothing was handled or written
            assertThat(steps).containsOnlyKeys("pipeline", "sqs", "dynamodb").allSatisfy((step, millis) -> assertThat(millis).isNotNegative());
            assertThat(sqsRequests.snapshot()).isEqualTo(Map.of("GetQueueUrl", 1));
            assertThat(dynamoRequests.snapshot()).isEqualTo(Map.of("GetItem", 1));
            assertThat(handled).hasValue(0);
            assertThat(Tables.count(dynamo, table)).isZero();
        }
    }
}
