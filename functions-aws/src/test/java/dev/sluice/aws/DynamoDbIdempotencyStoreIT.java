package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.ManualClock;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.RequestCounter;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.SluiceException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.security.Hashes;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.RecordStateMachine;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@ExtendWith(Engines.class)
class DynamoDbIdempotencyStoreIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final RequestCounter requests = new RequestCounter();
    private DynamoDbClient dynamo;
    private String table;
    private DynamoDbIdempotencyStore store;
    private final AtomicInteger executions = new AtomicInteger();

    @BeforeEach
    void setUp() {
        dynamo = dev.sluice.aws.testing.AwsTestClients.dynamoDb(Engines.dynamoDb(), requests);
        table = Tables.create(dynamo, "idempotency");
        store = DynamoDbIdempotencyStore.builder().client(dynamo).table(table).keyPrefix("orders").build();
        requests.reset();
    }

    @AfterEach
    void tearDown() {
        dynamo.close();
    }

    private BatchProcessor<JsonNode> consumer(ManualClock clock, IdempotencyMode mode, MessageHandler<JsonNode> handler) {
        return BatchProcessor.<JsonNode>builder()
                .queueName("orders")
                .codec(JsonCodec.of(JsonNode.class))
                .handler(handler)
                .idempotency(IdempotencyOptions.builder().store(store).mode(mode).ttl(Duration.ofDays(7))
                        .lease(Duration.ofMinutes(5)).build())
                .clock(clock)
                .logSink(event -> { })
                .build();
    }

    private MessageHandler<JsonNode> counting() {
        return (message, context) -> executions.incrementAndGet();
    }

    @Test
    void thirtyTwoConcurrentConsumersOfTheSameMessage_runTheHandlerExactlyOnce() throws Exception {
        // GIVEN 32 consumers (each its own pipeline) and one message delivered to all of them at once
        IncomingMessage message = Messages.incoming("m-1", Messages.order("o-1", "10"), Map.of());
        CountDownLatch start = new CountDownLatch(1);
        MessageHandler<JsonNode> slow = (m, context) -> {
            executions.incrementAndGet();
            Thread.sleep(300);
        };
        List<Future<MessageOutcome>> outcomes = new ArrayList<>();
        // WHEN they all begin the same key together
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            for (int i = 0; i < 32; i++) {
                BatchProcessor<JsonNode> consumer = consumer(new ManualClock(T0), IdempotencyMode.GUARD, slow);
                outcomes.add(pool.submit(() -> {
                    start.await();
                    return consumer.process(List.of(message), Instant.MAX).outcomes().getFirst();
                }));
            }
            start.countDown();
        }
        // THEN the handler ran once; every other consumer was told to retry or skip, none failed the message
        assertThat(executions).hasValue(1);
        List<MessageOutcome> results = new ArrayList<>();
        for (Future<MessageOutcome> f : outcomes) {
            results.add(f.get());
        }
        assertThat(results).filteredOn(o -> o instanceof MessageOutcome.Processed).hasSize(1);
        assertThat(results).allMatch(o -> o instanceof MessageOutcome.Processed || o instanceof MessageOutcome.Duplicate
                || (o instanceof MessageOutcome.Retry r && r.reason() == MessageOutcome.RetryReason.IN_PROGRESS));
        // AND a later redelivery is a duplicate
        MessageOutcome again = consumer(new ManualClock(T0.plusSeconds(1)), IdempotencyMode.GUARD, counting())
                .process(List.of(message), Instant.MAX).outcomes().getFirst();
        assertThat(again).isInstanceOf(MessageOutcome.Duplicate.class);
        assertThat(executions).hasValue(1);
    }

    @Test
    void aLapsedLease_isTakenOver_andTheOldHolderCanNoLongerComplete() {
        // GIVEN a consumer that claimed the key with a 1-second lease and then died
        BeginResult crashed = store.begin(new BeginRequest("m-2", Hashes.sha256Hex(Messages.order("o-2", "5").getBytes(StandardCharsets.UTF_8)),
                T0, T0.plusSeconds(1), T0.plus(Duration.ofDays(7))));
        assertThat(crashed).isInstanceOf(BeginResult.Acquired.class);
        // WHEN the message is redelivered after the lease lapsed
        ManualClock later = new ManualClock(T0.plusSeconds(5));
        MessageOutcome outcome = consumer(later, IdempotencyMode.GUARD, counting())
                .process(List.of(Messages.incoming("m-2", Messages.order("o-2", "5"), Map.of())), Instant.MAX).outcomes().getFirst();
        // THEN the new consumer takes over and runs the handler
        assertThat(outcome).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(executions).hasValue(1);
        // AND the crashed consumer's lease no longer completes or deletes the record
        assertThatThrownBy(() -> store.complete((BeginResult.Acquired) crashed, T0.plus(Duration.ofDays(7)), null))
                .isInstanceOf(SluiceException.class).hasMessageContaining("no longer held");
        store.release((BeginResult.Acquired) crashed, RecordStateMachine.failed((BeginResult.Acquired) crashed, T0.plusSeconds(6)));
        assertThat(Tables.item(dynamo, table, "orders#m-2").get("status").s()).isEqualTo("COMPLETED");
    }

    @Test
    void aLiveLease_makesTheRedeliveryRetryLater_withoutRunningTheHandler() {
        // GIVEN another consumer is handling the message right now (lease for 5 minutes)
        store.begin(new BeginRequest("m-3", Hashes.sha256Hex(Messages.order("o-3", "5").getBytes(StandardCharsets.UTF_8)),
                T0, T0.plus(Duration.ofMinutes(5)), T0.plus(Duration.ofDays(7))));
        // WHEN a second delivery arrives a second later
        MessageOutcome outcome = consumer(new ManualClock(T0.plusSeconds(1)), IdempotencyMode.GUARD, counting())
                .process(List.of(Messages.incoming("m-3", Messages.order("o-3", "5"), Map.of())), Instant.MAX).outcomes().getFirst();
        // THEN it is returned for a retry, and the handler did not run
        assertThat(outcome).isInstanceOfSatisfying(MessageOutcome.Retry.class, retry -> {
            assertThat(retry.reason()).isEqualTo(MessageOutcome.RetryReason.IN_PROGRESS);
            assertThat(retry.delay()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
        });
        assertThat(executions).hasValue(0);
    }

    @Test
    void theSameKeyWithAnotherPayload_isDeadLetteredAsIdempotencyMismatch() {
        // GIVEN a payment processed under key pay-1
        BatchProcessor<JsonNode> consumer = consumer(new ManualClock(T0), IdempotencyMode.GUARD, counting());
        consumer.process(List.of(Messages.incoming("m-4", Messages.order("o-4", "100"), Map.of("idempotency-key", "pay-1"))), Instant.MAX);
        // WHEN a replay with the same key but a changed amount arrives
        MessageOutcome outcome = consumer.process(List.of(Messages.incoming("m-5", Messages.order("o-4", "900"),
                Map.of("idempotency-key", "pay-1"))), Instant.MAX).outcomes().getFirst();
        // THEN it is never processed: it goes to the dead-letter queue as a mismatch
        assertThat(outcome).isInstanceOfSatisfying(MessageOutcome.DeadLettered.class,
                dead -> assertThat(dead.kind()).isEqualTo(FailureKind.IDEMPOTENCY_MISMATCH));
        assertThat(executions).hasValue(1);
    }

    @Test
    void aCompletedRecord_carriesTtlAndLeaseInPowertoolsUnits() {
        // GIVEN a message processed at T0 with a 7-day TTL and a 5-minute lease
        String body = Messages.order("o-6", "42");
        consumer(new ManualClock(T0), IdempotencyMode.GUARD, counting())
                .process(List.of(Messages.incoming("m-6", body, Map.of())), Instant.MAX);
        // WHEN the record is read
        Map<String, AttributeValue> item = Tables.item(dynamo, table, "orders#m-6");
        // THEN expiration is in epoch seconds, the lease in epoch milliseconds, and the fingerprint is kept
        assertThat(item.get("status").s()).isEqualTo("COMPLETED");
        assertThat(item.get("expiration").n()).isEqualTo(Long.toString(T0.plus(Duration.ofDays(7)).getEpochSecond()));
        assertThat(item.get("in_progress_expiration").n()).isEqualTo(Long.toString(T0.plus(Duration.ofMinutes(5)).toEpochMilli()));
        assertThat(item.get("validation").s()).isEqualTo(Hashes.sha256Hex(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anExpiredCompletedRecord_letsTheMessageRunAgain() {
        // GIVEN a record completed at T0 that expired after its 7-day TTL (before DynamoDB's TTL sweep removed it)
        IncomingMessage message = Messages.incoming("m-7", Messages.order("o-7", "1"), Map.of());
        consumer(new ManualClock(T0), IdempotencyMode.GUARD, counting()).process(List.of(message), Instant.MAX);
        // WHEN the same message arrives 8 days later
        MessageOutcome outcome = consumer(new ManualClock(T0.plus(Duration.ofDays(8))), IdempotencyMode.GUARD, counting())
                .process(List.of(message), Instant.MAX).outcomes().getFirst();
        // THEN it is processed again
        assertThat(outcome).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(executions).hasValue(2);
    }

    @Test
    void requestsPerMessage_twoWritesNew_oneFailedConditionalWriteAndNoReadForADuplicate() {
        // GIVEN guard mode
        BatchProcessor<JsonNode> guard = consumer(new ManualClock(T0), IdempotencyMode.GUARD, counting());
        IncomingMessage message = Messages.incoming("m-8", Messages.order("o-8", "1"), Map.of());
        // WHEN a new message is processed
        guard.process(List.of(message), Instant.MAX);
        // THEN it costs two UpdateItems: the conditional begin and the completion
        assertThat(requests.snapshot()).isEqualTo(Map.of("UpdateItem", 2));
        // WHEN the same message is redelivered
        requests.reset();
        MessageOutcome duplicate = guard.process(List.of(message), Instant.MAX).outcomes().getFirst();
        // THEN it is a duplicate that cost one failed conditional UpdateItem and no read
        assertThat(duplicate).isInstanceOf(MessageOutcome.Duplicate.class);
        assertThat(requests.snapshot()).isEqualTo(Map.of("UpdateItem", 1));
        assertThat(requests.failures("UpdateItem")).isEqualTo(1);
        assertThat(requests.calls("GetItem")).isZero();
    }

    @Test
    void requestsPerMessage_transactionalMode_beginPlusOneTransaction() {
        // GIVEN transactional mode
        BatchProcessor<JsonNode> tx = consumer(new ManualClock(T0), IdempotencyMode.TRANSACTIONAL, counting());
        // WHEN a new message is processed
        tx.process(List.of(Messages.incoming("m-9", Messages.order("o-9", "1"), Map.of())), Instant.MAX);
        // THEN it costs the conditional begin and one TransactWriteItems, no separate completion write
        assertThat(requests.snapshot()).isEqualTo(Map.of("UpdateItem", 1, "TransactWriteItems", 1));
    }

    @Test
    void requestsPerMessage_aRetryAfterAFailure_countsItInTheRelease_andItsBeginReadsNothing() {
        // GIVEN a handler that fails once with a retryable error
        AtomicInteger calls = new AtomicInteger();
        BatchProcessor<JsonNode> guard = consumer(new ManualClock(T0), IdempotencyMode.GUARD, (m, c) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("downstream busy");
            }
        });
        IncomingMessage message = Messages.incoming("m-10", Messages.order("o-10", "1"), Map.of());
        // WHEN it fails: begin and the release that counts the failure
        guard.process(List.of(message), Instant.MAX);
        assertThat(requests.snapshot()).isEqualTo(Map.of("UpdateItem", 2));
        assertThat(Tables.item(dynamo, table, "orders#m-10")).containsKeys("sluice_failures", "sluice_first_failure_at");
        // AND the redelivery runs as attempt 2: begin (which returns the count) and completion, no read
        requests.reset();
        MessageOutcome retried = guard.process(List.of(message), Instant.MAX).outcomes().getFirst();
        assertThat(retried).isInstanceOf(MessageOutcome.Processed.class);
        assertThat(requests.snapshot()).isEqualTo(Map.of("UpdateItem", 2));
        assertThat(Tables.item(dynamo, table, "orders#m-10").get("status").s()).isEqualTo("COMPLETED");
    }
}
