package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.pipeline.MessageOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handler run through Sluice's pipeline as the function runs it, with this project's
 * {@code sluice.properties} and an in-memory idempotency store in place of Cosmos DB.
 */
class OrderHandlerTest {
    private BatchProcessor<Order> processor;

    @BeforeEach
    void setUp() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("sluice.properties")) {
            shipped.load(in);
        }
        SluiceConfig config = SluiceConfig.from(Map.of(SluiceConfig.QUEUE_NAME, "order-events"), shipped).build();
        processor = BatchProcessor.<Order>builder()
                .config(config)
                .handler(new OrderHandler())
                .codec(JsonCodec.of(Order.class))
                .idempotency(IdempotencyOptions.builder()
                        .store(new InMemoryIdempotencyStore())
                        .keyPointer(config.idempotencyKeyPointer().orElseThrow())
                        .build())
                .logSink(event -> { })
                .build();
    }

    private static IncomingMessage message(String messageId, String body) {
        return IncomingMessage.builder()
                .providerMessageId(messageId)
                .body(body)
                .deliveryCount(1)
                .sourceQueue("order-events")
                .build();
    }

    private static String order(String orderId, long amountCents) {
        return "{\"orderId\":\"" + orderId + "\",\"customerId\":\"c-1\",\"amountCents\":" + amountCents
                + ",\"currency\":\"EUR\"}";
    }

    private List<MessageOutcome> process(IncomingMessage... messages) {
        BatchResult result = processor.process(List.of(messages), Instant.now().plus(Duration.ofMinutes(5)));
        return result.outcomes();
    }

    @Test
    void aValidOrder_isProcessed() {
        // GIVEN / WHEN an order with a positive amount
        List<MessageOutcome> outcomes = process(message("m-1", order("o-1", 1250)));

        // THEN
        assertThat(outcomes).singleElement().isInstanceOf(MessageOutcome.Processed.class);
    }

    @Test
    void aNegativeAmount_isDeadLetteredAtOnce_asAPermanentFailure() {
        // GIVEN / WHEN an order with a negative amount
        List<MessageOutcome> outcomes = process(message("m-1", order("o-1", -5)));

        // THEN it is parked on its first attempt, with the handler's reason, and never retried
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(MessageOutcome.DeadLettered.class, dead -> {
            assertThat(dead.kind()).isEqualTo(FailureKind.PERMANENT);
            assertThat(dead.reason()).contains("o-1", "non-positive amount");
        });
    }

    @Test
    void aZeroAmount_isAPermanentFailureToo() {
        assertThat(process(message("m-1", order("o-1", 0)))).singleElement()
                .isInstanceOfSatisfying(MessageOutcome.DeadLettered.class,
                        dead -> assertThat(dead.kind()).isEqualTo(FailureKind.PERMANENT));
    }

    @Test
    void theSameOrderSentTwice_isAppliedOnce() {
        // GIVEN an order processed once
        process(message("m-1", order("o-7", 900)));

        // WHEN the producer sends the same order again, as a new message
        List<MessageOutcome> outcomes = process(message("m-2", order("o-7", 900)));

        // THEN sluice.properties' key pointer (/orderId) recognises it
        assertThat(outcomes).singleElement().isInstanceOf(MessageOutcome.Duplicate.class);
    }

    @Test
    void aBodyThatIsNotAnOrder_isPoison_andNeverReachesTheHandler() {
        assertThat(process(message("m-1", "{not json"))).singleElement()
                .isInstanceOfSatisfying(MessageOutcome.DeadLettered.class,
                        dead -> assertThat(dead.kind()).isEqualTo(FailureKind.POISON));
    }
}
