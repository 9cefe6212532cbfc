package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.azure.testing.ManualClock;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.pipeline.BackoffStrategy;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.pipeline.RetryPolicy;
import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@link ServiceBusBatchConsumer} turns outcomes into re-published and parked copies. */
class ServiceBusBatchConsumerTest {
    record Item(String id) {}

    record Sent(String queue, OutgoingMessage message) {}

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<Sent> sent = new ArrayList<>();
    private final MessagePublisher recording = (queue, messages) -> messages.forEach(m -> sent.add(new Sent(queue, m)));

    private final List<Duration> waits = new ArrayList<>();

    /** Re-publishing retries, also in a session batch (the behaviour without abandoning; see the session tests below). */
    private ServiceBusBatchConsumer<Item> consumer(MessageHandler<Item> handler, MessagePublisher publisher) {
        return builder(handler, publisher).sessionOrderByAbandon(false).build();
    }

    private ServiceBusBatchConsumer.Builder<Item> builder(MessageHandler<Item> handler, MessagePublisher publisher) {
        BatchProcessor<Item> processor = BatchProcessor.<Item>builder()
                .queueName("items")
                .handler(handler)
                .codec(JsonCodec.of(Item.class))
                .retryPolicy(new RetryPolicy(3, BackoffStrategy.fixed(Duration.ofSeconds(10))))
                .idempotency(IdempotencyOptions.builder().store(new InMemoryIdempotencyStore()).build())
                .clock(clock)
                .build();
        return ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(publisher).clock(clock)
                .sleeper(d -> {
                    waits.add(d);
                    clock.advance(d);
                });
    }

    private static ServiceBusBatch batch(String... bodies) {
        String[] ids = new String[bodies.length];
        String[] sessions = new String[bodies.length];
        String[] correlations = new String[bodies.length];
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, Object>[] properties = new Map[bodies.length];
        for (int i = 0; i < bodies.length; i++) {
            ids[i] = "m-" + i;
            sessions[i] = "s-1";
            correlations[i] = "c-" + i;
            properties[i] = Map.of("tenant", "acme", "priority", 2.0);
        }
        return ServiceBusBatch.builder().bodies(bodies).messageIds(ids).deliveryCounts(new int[bodies.length])
                .sessionIds(sessions).correlationIds(correlations).applicationProperties(properties)
                .contentTypes(java.util.Collections.nCopies(bodies.length, "application/json").toArray(String[]::new))
                .build();
    }

    @Test
    void retry_isRepublishedToTheQueue_scheduledAfterItsDelay_withAttemptAndOriginalId() {
        // GIVEN a handler that fails with a retryable error
        ServiceBusBatchConsumer<Item> consumer = consumer((m, c) -> {
            throw new IllegalStateException("downstream 503");
        }, recording);

        // WHEN a batch with one message is processed
        BatchResult result = consumer.process(batch("{\"id\":\"a\"}"));

        // THEN one copy goes back to the same queue, body and session unchanged, due at now + the backoff
        MessageOutcome.Retry retry = (MessageOutcome.Retry) result.outcomes().getFirst();
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.queue()).isEqualTo("items");
            OutgoingMessage copy = s.message();
            assertThat(new String(copy.body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"a\"}");
            assertThat(copy.messageId()).isNotEqualTo("m-0");
            assertThat(copy.sessionId()).isEqualTo("s-1");
            assertThat(copy.correlationId()).isEqualTo("c-0");
            assertThat(copy.contentType()).isEqualTo("application/json");
            assertThat(copy.scheduledEnqueueTime()).isEqualTo(clock.instant().plus(retry.delay()));
            assertThat(copy.applicationProperties())
                    .containsEntry(SluiceAttributes.ATTEMPT, "1")
                    .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "m-0")
                    .containsEntry(SluiceAttributes.FIRST_FAILURE_AT, clock.instant().toString())
                    .containsEntry("tenant", "acme")
                    .containsEntry("priority", "2");
        });
    }

    @Test
    void deadLetter_isParkedWithTheEnvelope_andNothingGoesBackToTheQueue() {
        // GIVEN a handler that says retrying cannot help
        ServiceBusBatchConsumer<Item> consumer = consumer((m, c) -> {
            throw new PermanentFailureException("unknown item");
        }, recording);

        // WHEN it processes one message
        consumer.process(batch("{\"id\":\"b\"}"));

        // THEN the message is parked in <queue>-parking with the failure description
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.queue()).isEqualTo("items-parking");
            assertThat(s.message().scheduledEnqueueTime()).isNull();
            assertThat(s.message().applicationProperties())
                    .containsEntry(SluiceAttributes.FAILURE_KIND, "PERMANENT")
                    .containsEntry(SluiceAttributes.ERROR_MESSAGE, "unknown item")
                    .containsEntry(SluiceAttributes.SOURCE_QUEUE, "items")
                    .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "m-0");
        });
    }

    @Test
    void laterMessagesOfAFailedSession_areRepublishedInOrder_withTheSameDelay() {
        // GIVEN a handler that fails for item 2 of a session of four
        ServiceBusBatchConsumer<Item> consumer = consumer((m, c) -> {
            if (m.body().id().equals("2")) {
                throw new IllegalStateException("boom");
            }
        }, recording);

        // WHEN the session's batch is processed
        consumer.process(batch("{\"id\":\"1\"}", "{\"id\":\"2\"}", "{\"id\":\"3\"}", "{\"id\":\"4\"}"));

        // THEN items 2, 3, 4 are re-published in order, in the session, due at the same time
        assertThat(sent).extracting(s -> new String(s.message().body(), StandardCharsets.UTF_8))
                .containsExactly("{\"id\":\"2\"}", "{\"id\":\"3\"}", "{\"id\":\"4\"}");
        assertThat(sent).extracting(s -> s.message().sessionId()).containsOnly("s-1");
        assertThat(sent).extracting(s -> s.message().scheduledEnqueueTime()).doesNotContainNull().hasSize(3)
                .containsOnly(sent.getFirst().message().scheduledEnqueueTime());
    }

    @Test
    void failedSend_throwsSoTheHostAbandonsTheBatch() {
        // GIVEN a publisher that cannot reach Service Bus
        ServiceBusBatchConsumer<Item> consumer = consumer((m, c) -> {
            throw new IllegalStateException("boom");
        }, (queue, messages) -> {
            throw new IllegalStateException("amqp:connection:forced");
        });

        // WHEN / THEN processing throws, naming the queue and how many copies were not sent
        assertThatThrownBy(() -> consumer.process(batch("{\"id\":\"c\"}", "{\"id\":\"d\"}")))
                .isInstanceOf(RepublishException.class)
                .satisfies(e -> {
                    assertThat(((RepublishException) e).queue()).isEqualTo("items");
                    assertThat(((RepublishException) e).unsent()).isEqualTo(2);
                });
    }

    @Test
    void processedAndDuplicateMessages_sendNothing() {
        // GIVEN a handler that succeeds
        ServiceBusBatchConsumer<Item> consumer = consumer((m, c) -> { }, recording);

        // WHEN the same message is delivered in two batches
        consumer.process(batch("{\"id\":\"e\"}"));
        BatchResult again = consumer.process(batch("{\"id\":\"e\"}"));

        // THEN no copy was sent and the second delivery is a duplicate
        assertThat(sent).isEmpty();
        assertThat(again.outcomes()).singleElement().isInstanceOf(MessageOutcome.Duplicate.class);
    }

    @Test
    void aSessionBatchWithARetry_sendsNothing_waitsTheBackoff_andIsAbandoned_soTheSessionKeepsItsOrder() {
        // GIVEN a handler that fails item 2 of a session batch of four; attempts are counted per message (a store)
        List<String> ran = new ArrayList<>();
        ServiceBusBatchConsumer<Item> consumer = builder((m, c) -> {
            ran.add(m.body().id());
            if (m.body().id().equals("2") && ran.stream().filter("2"::equals).count() == 1) {
                throw new IllegalStateException("boom");
            }
        }, recording).build();

        // WHEN the batch is processed
        Instant before = clock.instant();

        // THEN the consumer waited the retry's backoff (10 s) and threw so the host abandons the whole batch
        assertThatThrownBy(() -> consumer.process(batch("{\"id\":\"1\"}", "{\"id\":\"2\"}", "{\"id\":\"3\"}",
                "{\"id\":\"4\"}")))
                .isInstanceOfSatisfying(SessionRetryException.class, e -> {
                    assertThat(e.sessionId()).isEqualTo("s-1");
                    assertThat(e.messageId()).isEqualTo("m-1");
                });
        assertThat(waits).containsExactly(Duration.ofSeconds(10));
        assertThat(clock.instant()).isEqualTo(before.plusSeconds(10));
        // AND nothing was re-published or parked, and the messages after the failed one did not run
        assertThat(sent).isEmpty();
        assertThat(ran).containsExactly("1", "2");

        // WHEN Service Bus redelivers the batch (as the abandon makes it) and item 2 now succeeds
        BatchResult again = consumer.process(batch("{\"id\":\"1\"}", "{\"id\":\"2\"}", "{\"id\":\"3\"}",
                "{\"id\":\"4\"}"));

        // THEN item 1 is skipped as done, and 2, 3, 4 run in order
        assertThat(again.outcomes().getFirst()).isInstanceOf(MessageOutcome.Duplicate.class);
        assertThat(ran).containsExactly("1", "2", "2", "3", "4");
        assertThat(sent).isEmpty();
    }

    @Test
    void theSessionWait_isCappedBySessionWaitMax_andByTheInvocationsTimeLeft() {
        MessageHandler<Item> failing = (m, c) -> {
            throw new IllegalStateException("boom");
        };
        ServiceBusBatchConsumer<Item> capped = builder(failing, recording).sessionWaitMax(Duration.ofSeconds(3)).build();
        assertThatThrownBy(() -> capped.process(batch("{\"id\":\"x\"}"))).isInstanceOf(SessionRetryException.class);
        ServiceBusBatchConsumer<Item> late = builder(failing, recording).invocationTimeout(Duration.ofSeconds(6)).build();
        assertThatThrownBy(() -> late.process(batch("{\"id\":\"y\"}"))).isInstanceOf(SessionRetryException.class);

        // 3 s by sessionWaitMax; the invocation's 6 s less 2 s of margin
        assertThat(waits).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(4));
    }

    @Test
    void withoutAStore_aSessionRetryIsRepublished_asBefore() {
        // GIVEN a pipeline without idempotency: attempts come from the delivery count, which an abandon would raise
        BatchProcessor<Item> processor = BatchProcessor.<Item>builder().queueName("items").codec(JsonCodec.of(Item.class))
                .retryPolicy(RetryPolicy.exponential(3, Duration.ofSeconds(10), Duration.ofSeconds(10))).clock(clock)
                .handler((m, c) -> {
                    throw new IllegalStateException("boom");
                }).build();
        ServiceBusBatchConsumer<Item> consumer = ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(recording)
                .clock(clock).sleeper(waits::add).build();

        consumer.process(batch("{\"id\":\"z\"}"));

        assertThat(waits).isEmpty();
        assertThat(sent).singleElement().satisfies(s -> assertThat(s.queue()).isEqualTo("items"));
    }

    @Test
    void builder_namesTheMissingOrInvalidProperty() {
        BatchProcessor<Item> processor = BatchProcessor.<Item>builder().queueName("items").handler((m, c) -> { })
                .codec(JsonCodec.of(Item.class)).build();
        assertThatThrownBy(() -> ServiceBusBatchConsumer.<Item>builder().publisher(recording).build())
                .hasMessage("processor is required");
        assertThatThrownBy(() -> ServiceBusBatchConsumer.<Item>builder().processor(processor).build())
                .hasMessage("publisher is required");
        assertThatThrownBy(() -> ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(recording)
                .parkingQueue("items").build())
                .hasMessageContaining("parkingQueue must differ");
        assertThatThrownBy(() -> ServiceBusBatchConsumer.<Item>builder().processor(processor).publisher(recording)
                .invocationTimeout(Duration.ZERO).build())
                .hasMessageContaining("invocationTimeout must be positive");
    }
}
