package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.local.LocalLambdaContext;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.EventJson;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.OrderEventsFunction;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.ScriptedOrderHandler;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.config.SluiceConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

@ExtendWith(Engines.class)
class OrderEventsFunctionIT {

    @Test
    void aRealSqsEventJson_deserialisedAsLambdaDoes_drivesTheFunction() {
        try (SqsClient sqs = AwsTestClients.sqs(Engines.sqs()); DynamoDbClient dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb())) {
            // GIVEN the test function wired to local engines, and AWS's documented SQS event shape with two
            // orders and AWS's own sample body "Test message."
            Queues.Pair queue = Queues.create(sqs, "my-queue", false, 30, 5);
            String table = Tables.create(dynamo, "idempotency");
            ScriptedOrderHandler handler = new ScriptedOrderHandler(Map.of());
            OrderEventsFunction function = new OrderEventsFunction(SqsBatchConsumer.builder(Order.class)
                    .config(SluiceConfig.builder().queueName("my-queue").idempotencyTable(table).idempotencyKeyPointer("/orderId").build())
                    .sqsClient(sqs).dynamoDbClient(dynamo).deadLetterQueueUrl(queue.dlqUrl())
                    .handler(handler).logSink(event -> { }).snapStartPriming(false).build());
            SQSEvent event = EventJson.sqsEvent(EventJson.resource("/events/sqs-standard.json"));

            // WHEN Lambda invokes it
            SQSBatchResponse response = function.handleRequest(event, new LocalLambdaContext("order-events", Duration.ofSeconds(30), Clock.systemUTC()));

            // THEN nothing is left to retry, each order ran once, and the undecodable body is in the DLQ as POISON
            assertThat(response.getBatchItemFailures()).isEmpty();
            assertThat(handler.successes("o-100")).isEqualTo(1);
            assertThat(handler.successes("o-101")).isEqualTo(1);
            List<Message> dead = Queues.receiveAll(sqs, queue.dlqUrl());
            assertThat(dead).singleElement().satisfies(m -> {
                assertThat(m.body()).isEqualTo("Test message.");
                assertThat(m.messageAttributes().get("sluice-failure-kind").stringValue()).isEqualTo("POISON");
                assertThat(m.messageAttributes().get("sluice-original-message-id").stringValue()).isEqualTo("c80e8021-a70a-42c7-a470-796e1186f753");
                assertThat(m.messageAttributes().get("sluice-source-queue").stringValue()).isEqualTo("my-queue");
                assertThat(m.messageAttributes().get("myAttribute").stringValue()).isEqualTo("myValue");
            });
        }
    }
}
