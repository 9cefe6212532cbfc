package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.RetryLaterException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.SluiceAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retry rules on Service Bus (broker model): a handler's requested delay and the warm instance's breaker. */
class ServiceBusRetryRulesTest {
    record Item(String id) {}

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final InMemoryServiceBus bus = new InMemoryServiceBus(clock)
            .createQueue("items", InMemoryServiceBus.QueueSettings.defaults())
            .createQueue("items-parking", InMemoryServiceBus.QueueSettings.defaults());

    private ServiceBusBatchConsumer<Item> consumer(SluiceConfig.Builder config, MessageHandler<Item> handler) {
        BatchProcessor<Item> processor = BatchProcessor.<Item>builder()
                .config(config.queueName("items").concurrency(1).build())
                .handler(handler)
                .codec(JsonCodec.of(Item.class))
                .clock(clock)
                .logSink(event -> { })
                .build();
        return ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(bus).clock(clock).build();
    }

    private static ServiceBusBatch batch(String id, int deliveryCount) {
        return ServiceBusBatch.builder().bodies(new String[] {"{\"id\":\"" + id + "\"}"}).messageIds(new String[] {id})
                .deliveryCounts(new int[] {deliveryCount}).build();
    }

    @Test
    void aRequestedDelay_schedulesTheCopyAtNowPlusThatDelay_asOneAttempt() {
        // GIVEN a handler answered 429 with Retry-After: 90
        ServiceBusBatchConsumer<Item> consumer = consumer(SluiceConfig.builder(), (m, c) -> {
            throw new RetryLaterException("payments answered 429", Duration.ofSeconds(90));
        });

        // WHEN a message arrives
        consumer.process(batch("a", 1));

        // THEN its copy is scheduled at exactly now + 90 s, carrying one used attempt
        assertThat(bus.messages("items")).singleElement().satisfies(copy -> {
            assertThat(copy.message().scheduled()).contains(T0.plusSeconds(90));
            assertThat(copy.activeAt()).isEqualTo(T0.plusSeconds(90));
            assertThat(copy.properties()).containsEntry(SluiceAttributes.ATTEMPT, "1")
                    .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "a");
        });
    }

    @Test
    void aRequestedDelay_onTheLastAttempt_isParkedAsExhausted() {
        // GIVEN the same handler and a message on its third (last) delivery
        ServiceBusBatchConsumer<Item> consumer = consumer(SluiceConfig.builder(), (m, c) -> {
            throw new RetryLaterException(Duration.ofSeconds(90));
        });

        // WHEN it asks for more time again
        consumer.process(batch("b", 3));

        // THEN it is parked EXHAUSTED, not re-published
        assertThat(bus.messages("items")).isEmpty();
        assertThat(bus.messages("items-parking")).singleElement().satisfies(parked ->
                assertThat(parked.properties()).containsEntry(SluiceAttributes.FAILURE_KIND, "EXHAUSTED"));
    }

    @Test
    void anOpenBreaker_spansInvocations_andSchedulesCopiesAfterItsDelay_withoutRunningTheHandler() {
        // GIVEN a breaker at 2, open for 120 s, and a downstream that is down
        AtomicInteger calls = new AtomicInteger();
        ServiceBusBatchConsumer<Item> consumer = consumer(
                SluiceConfig.builder().circuitBreakerThreshold(2).circuitOpenDelay(Duration.ofSeconds(120)), (m, c) -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("downstream 503");
                });
        consumer.process(batch("c1", 1));
        consumer.process(batch("c2", 1));

        // WHEN a third invocation brings a message on its second delivery
        MessageOutcome outcome = consumer.process(batch("c3", 2)).outcomes().getFirst();

        // THEN its handler did not run; the copy comes back after the open delay with no attempt added
        assertThat(calls).hasValue(2);
        assertThat(outcome).isInstanceOfSatisfying(MessageOutcome.Retry.class,
                r -> assertThat(r.reason()).isEqualTo(MessageOutcome.RetryReason.CIRCUIT_OPEN));
        assertThat(bus.messages("items")).filteredOn(s -> s.properties().get(SluiceAttributes.ORIGINAL_MESSAGE_ID).equals("c3"))
                .singleElement().satisfies(copy -> {
                    assertThat(copy.message().scheduled()).contains(T0.plusSeconds(120));
                    assertThat(copy.properties()).containsEntry(SluiceAttributes.ATTEMPT, "1");
                });
    }
}
