package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.core.config.SluiceConfig;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

class BuildersTest {
    private final SqsClient sqs = SqsClient.builder().region(Region.US_EAST_1)
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();

    @AfterEach
    void closeClient() {
        sqs.close();
    }

    @Test
    void theConsumerBuilder_namesTheMissingProperty() {
        assertThatThrownBy(() -> SqsBatchConsumer.builder(String.class).sqsClient(sqs).handler((m, c) -> { }).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("config");
        assertThatThrownBy(() -> SqsBatchConsumer.builder(String.class).sqsClient(sqs)
                .config(SluiceConfig.builder().queueName("q").build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("handler");
        assertThatThrownBy(() -> SqsBatchConsumer.<String>builder().sqsClient(sqs).handler((m, c) -> { })
                .config(SluiceConfig.builder().queueName("q").build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("codec");
    }

    @Test
    void theStoreBuilder_namesTheMissingProperty() {
        try (DynamoDbClient dynamo = DynamoDbClient.builder().region(Region.US_EAST_1)
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().client(dynamo).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table");
            assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().table("t").build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client");
            assertThatThrownBy(() -> DynamoDbIdempotencyStore.builder().client(dynamo).table("t").keyPrefix("q")
                    .powertoolsKeys("fn", "handleRequest").build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyPrefix");
        }
    }

    @Test
    void theLocalMappingBuilder_enforcesLambdasLimits() {
        assertThatThrownBy(() -> LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl("http://q").function((e, c) -> null)
                .batchSize(11).build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumBatchingWindow");
        assertThatThrownBy(() -> LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl("http://q").function((e, c) -> null)
                .batchSize(0).build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl("http://q").function((e, c) -> null)
                .maximumBatchingWindow(Duration.ofMinutes(6)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maximumBatchingWindow");
    }

    @Test
    void theRedriveBuilder_namesTheMissingProperty() {
        assertThatThrownBy(() -> SqsRedrive.builder().sqsClient(sqs).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadLetterQueueUrl");
        assertThatThrownBy(() -> SqsRedrive.builder().sqsClient(sqs).deadLetterQueueUrl("http://dlq").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auditLog");
    }
}
