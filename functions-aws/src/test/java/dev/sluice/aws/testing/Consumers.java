package dev.sluice.aws.testing;

import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import java.time.Duration;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Consumers wired to the local engines, with the settings an end-to-end test wants (fast retries). */
public final class Consumers {
    private Consumers() {}

    /**
     * @param queue the queue pair
     * @param table the idempotency table
     * @param sqs an SQS client
     * @param dynamo a DynamoDB client
     * @param handler the handler
     * @param metrics where metrics go
     * @return a consumer: 3 attempts, 1-second backoff, idempotency keyed by {@code /orderId} with a 3-second lease,
     *     a circuit breaker that stays open for 1 second
     */
    public static SqsBatchConsumer<Order> orders(Queues.Pair queue, String table, SqsClient sqs, DynamoDbClient dynamo,
                                                 MessageHandler<Order> handler, InMemoryMetrics metrics) {
        return SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder()
                        .queueName(queue.name())
                        .maxAttempts(3)
                        .retryBackoff(Duration.ofSeconds(1))
                        .retryBackoffMax(Duration.ofSeconds(1))
                        .idempotencyTable(table)
                        .idempotencyKeyPointer("/orderId")
                        // a duplicate that meets its twin in flight waits for the lease: keep it short here
                        .idempotencyLease(Duration.ofSeconds(3))
                        // the breaker outlives a batch: keep its open delay at the tests' scale, like the backoff
                        .circuitOpenDelay(Duration.ofSeconds(1))
                        .build())
                .sqsClient(sqs)
                .dynamoDbClient(dynamo)
                .handler(handler)
                .metrics(metrics)
                .logSink(dev.sluice.aws.LambdaJsonLogSink.toStandardOutput(dev.sluice.core.spi.LogSink.Level.WARN))
                .snapStartPriming(false)
                .build();
    }
}
