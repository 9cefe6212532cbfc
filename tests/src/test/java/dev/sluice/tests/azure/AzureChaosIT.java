package dev.sluice.tests.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.CosmosTransaction;
import dev.sluice.azure.ServiceBusBatchConsumer;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.azure.testing.Order;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chaos on the Azure path: the broker model (peek-lock, delivery count, sessions, scheduled messages), a
 * Functions host whose worker process can die, {@link ServiceBusBatchConsumer} and Cosmos DB idempotency
 * on the local Cosmos server. Producers send duplicates, handlers fail transiently, bodies are poison, and
 * the worker crashes after the side effect and before the host completes the batch. A ledger kept outside
 * the system checks that nothing is lost, session order holds, and every effect applied twice is explained
 * by a crash (guard mode) or that none is (transactional mode).
 */
class AzureChaosIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    static final String QUEUE = "orders";
    static final String PARKING = "orders-parking";
    /** Orders per session: below the batch size, so a session's backlog fits one delivery. */
    static final int PER_SESSION = 20;
    static final int BATCH_SIZE = 32;
    static final int MAX_ATTEMPTS = 5;

    /**
     * The host and queue of a run.
     *
     * @param batchSize host.json's maxMessageBatchSize
     * @param maxDeliveryCount the queue's; a session batch is abandoned for each retry in it, which raises the delivery
     *     count of every message in the batch, so it must exceed maxAttempts x batchSize (the crash safety net only)
     * @param byAbandon session order by abandoning the batch (else by re-publishing, the behaviour before)
     */
    record Setup(int batchSize, int maxDeliveryCount, boolean byAbandon) {
        static final Setup DEFAULT = new Setup(BATCH_SIZE, 10 * BATCH_SIZE, true);
    }

    /** One chaos run's wiring. */
    static final class Run {
        final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        final InMemoryServiceBus broker = new InMemoryServiceBus(clock);
        final CrashingHost host;
        final ChaosLedger ledger;
        final CosmosContainer container;
        final CosmosIdempotencyStore store;
        /** Time session batches waited for a backoff before they were abandoned. */
        final java.util.concurrent.atomic.AtomicLong sessionWaitMillis = new java.util.concurrent.atomic.AtomicLong();
        /** Session batches that waited for a backoff; every 10th dies while waiting. */
        final java.util.concurrent.atomic.AtomicInteger sessionWaits = new java.util.concurrent.atomic.AtomicInteger();

        Run(ChaosLedger ledger, IdempotencyMode mode, CosmosContainer container) {
            this(ledger, mode, container, Setup.DEFAULT);
        }

        Run(ChaosLedger ledger, IdempotencyMode mode, CosmosContainer container, Setup setup) {
            this.ledger = ledger;
            this.container = container;
            this.store = CosmosIdempotencyStore.builder().container(container).build();
            this.host = new CrashingHost(broker, clock, QUEUE, setup.batchSize(), 4);
            // lock (5 s) outlives the lease (3 s): a crashed message comes back after its lease lapsed
            broker.createQueue(QUEUE, new InMemoryServiceBus.QueueSettings(setup.maxDeliveryCount(), Duration.ofSeconds(5), true));
            broker.createQueue(PARKING, InMemoryServiceBus.QueueSettings.defaults());
            BatchProcessor<Order> processor = BatchProcessor.<Order>builder()
                    .queueName(QUEUE)
                    .handler(mode == IdempotencyMode.GUARD ? guardHandler() : transactionalHandler())
                    .codec(JsonCodec.of(Order.class))
                    .retryPolicy(RetryPolicy.exponential(MAX_ATTEMPTS, Duration.ofSeconds(1), Duration.ofSeconds(10)))
                    .idempotency(IdempotencyOptions.builder()
                            .store(new CrashingIdempotencyStore(store, host, ledger))
                            .mode(mode)
                            .keyPointer("/orderId")
                            .lease(Duration.ofSeconds(3))
                            .build())
                    .circuitBreaker(0, Duration.ofSeconds(30))
                    .clock(clock)
                    .random(RandomGenerator.of("L64X128MixRandom"))
                    .logSink(event -> { })
                    .build();
            ServiceBusBatchConsumer<Order> consumer = ServiceBusBatchConsumer.<Order>builder()
                    .processor(processor)
                    .publisher(host.publisher())
                    .parkingQueue(PARKING)
                    .clock(clock)
                    .logSink(event -> { })
                    .sessionOrderByAbandon(setup.byAbandon())
                    // waiting a backoff passes the model's time (the host renews the locks meanwhile); every 10th
                    // wait the worker dies in it, before the abandon: the batch's locks lapse and it comes back
                    .sleeper(d -> {
                        sessionWaitMillis.addAndGet(d.toMillis());
                        clock.advance(d);
                        if (sessionWaits.incrementAndGet() % 10 == 0) {
                            host.crashNow();
                        }
                    })
                    .build();
            host.function(batch -> {
                BatchResult result = consumer.process(batch);
                if (!host.isDead()) {
                    ledger.outcomes(result.outcomes());
                }
            });
        }

        /** Guard mode: the effect is outside the idempotency store; the ledger sees each application. */
        private MessageHandler<Order> guardHandler() {
            return (message, context) -> {
                if (host.isDead()) {
                    throw new IllegalStateException("worker process is gone");
                }
                String key = message.body().orderId();
                if (ledger.handlerRanAndFails(key)) {
                    throw new IllegalStateException("payment service timed out");
                }
                ledger.effect(key, message.groupKey().orElseThrow());
            };
        }

        /** Transactional mode: the effect is a Cosmos item committed with the COMPLETED record, one per run. */
        private MessageHandler<Order> transactionalHandler() {
            return (message, context) -> {
                if (host.isDead()) {
                    throw new IllegalStateException("worker process is gone");
                }
                String key = message.body().orderId();
                if (ledger.handlerRanAndFails(key)) {
                    throw new IllegalStateException("payment service timed out");
                }
                long run = ledger.runSequence.incrementAndGet();
                CosmosTransaction tx = context.transaction(CosmosTransaction.class);
                tx.upsert(Map.of("id", "effect-" + key + "-" + run, "pk", tx.partitionKeyValue(), "type", "effect",
                        "orderId", key, "session", message.groupKey().orElseThrow(), "run", run));
            };
        }

        void sendAndDrain() {
            ledger.messagesToSend().forEach(m -> broker.send(QUEUE, m));
            host.runUntilIdle(100_000);
            ledger.collectEnd(broker, QUEUE, PARKING);
        }

        /** The effects as Cosmos holds them, in commit order. */
        void readEffectsFromCosmos() {
            List<ObjectNode> items = container.queryItems("SELECT * FROM c WHERE c.type = 'effect'",
                    new CosmosQueryRequestOptions(), ObjectNode.class).stream().toList();
            items.stream().sorted(Comparator.comparingLong(i -> i.path("run").asLong()))
                    .forEach(i -> ledger.effect(i.path("orderId").asText(), i.path("session").asText()));
        }

        void print(String title) {
            System.out.println(ledger.report(title, host.invocations(), host.crashedInvocations()));
            int failures = Math.max(1, ledger.transientFailures.get());
            int sent = ledger.sent.values().stream().mapToInt(ChaosLedger.Sent::copies).sum();
            System.out.printf("session waits: %d, %d of them ended by a worker crash%n", sessionWaits.get(), sessionWaits.get() / 10);
            System.out.printf("amplification: %d re-published copies (%.2f per transient failure), %d deliveries for %d messages"
                    + " (%.2f extra per transient failure), session batches waited %d ms in all%n", host.republished(),
                    host.republished() / (double) failures, host.delivered(), sent, (host.delivered() - sent) / (double) failures,
                    sessionWaitMillis.get());
        }
    }

    @Test
    void guardMode_tenThousandOrders_nothingLost_orderKept_everyDoubleEffectExplainedByACrash() {
        // GIVEN 10,000 orders in 500 sessions with producer duplicates, transient failures, poison bodies and
        // worker crashes planned after the side effect
        Run run = new Run(ChaosLedger.plan(10_000, PER_SESSION, 42), IdempotencyMode.GUARD, COSMOS.get().newContainer("sluice-chaos"));
        ChaosLedger ledger = run.ledger;

        // WHEN the host drains the queue
        run.sendAndDrain();
        run.print("Azure chaos, guard mode");
        assertThat(ledger.executionsBehindExhausted()).as("EXHAUSTED dead letters").isNotEmpty();

        // THEN nothing is left on the queue, and every order was applied, parked or dead-lettered
        assertThat(run.broker.messages(QUEUE)).isEmpty();
        assertThat(ledger.lost()).isEmpty();
        assertEndStateOfEveryKind(ledger);
        // AND every session's orders took effect in the order they were sent
        assertThat(ledger.orderViolations()).isEmpty();
        // AND the crashes happened, and every order applied twice had its completion lost in a crash
        assertThat(run.host.crashedInvocations()).isPositive();
        assertThat(ledger.unexplainedDoubleEffects()).isEmpty();
        assertThat(ledger.explainedDoubleEffects()).isNotEmpty();
        // AND producer duplicates and redelivered batches were recognised as duplicates
        assertThat(ledger.duplicates.get()).isGreaterThanOrEqualTo(
                (int) ledger.sent.values().stream().filter(s -> s.copies() > 1 && s.kind() == ChaosLedger.Kind.CLEAN).count());
    }

    @Test
    void transactionalMode_noEffectIsAppliedTwice_evenWhenTheWorkerCrashesAfterTheHandler() {
        // GIVEN 2,000 orders with the same chaos; the handler's effect is a Cosmos item in the idempotency transaction
        Run run = new Run(ChaosLedger.plan(2_000, PER_SESSION, 7), IdempotencyMode.TRANSACTIONAL, COSMOS.get().newContainer("sluice-chaos"));
        ChaosLedger ledger = run.ledger;

        // WHEN the host drains the queue, and the effects are read back from Cosmos DB
        run.sendAndDrain();
        run.readEffectsFromCosmos();
        run.print("Azure chaos, transactional mode");
        assertThat(ledger.executionsBehindExhausted()).as("EXHAUSTED dead letters").isNotEmpty();

        // THEN nothing is lost and session order holds
        assertThat(run.broker.messages(QUEUE)).isEmpty();
        assertThat(ledger.lost()).isEmpty();
        assertEndStateOfEveryKind(ledger);
        assertThat(ledger.orderViolations()).isEmpty();
        // AND although the worker crashed after handlers ran, no order's effect was committed twice
        assertThat(run.host.crashedInvocations()).isPositive();
        assertThat(ledger.effects).allSatisfy((key, n) -> assertThat(n.get()).as(key).isEqualTo(1));
    }

    /**
     * Session backlogs far beyond a batch: 200 sessions of 30 orders, delivered 8 at a time. A retried message is never
     * overtaken by a later one of its session, whatever is still queued.
     */
    @Test
    void guardMode_sessionBacklogsBeyondABatch_orderKeptWhateverIsQueued() {
        // GIVEN 6,000 orders in 200 sessions of 30 with the chaos mix (5 % transient, 1 % poison, 2 % crashes),
        // batches of 8
        // (-Dsluice.chaos.republish=true runs the behaviour before, re-publishing behind the retry, for its numbers)
        boolean before = Boolean.getBoolean("sluice.chaos.republish");
        Run run = new Run(ChaosLedger.plan(6_000, 30, 2026), IdempotencyMode.GUARD, COSMOS.get().newContainer("sluice-chaos"),
                new Setup(8, 10 * 8, !before));
        ChaosLedger ledger = run.ledger;

        // WHEN the host drains the queue
        run.sendAndDrain();
        run.print("Azure chaos, guard mode, session backlogs of 30 in batches of 8" + (before ? ", re-publishing (before)" : ""));
        if (before) {
            System.out.println("order violations re-publishing: " + ledger.orderViolations().size() + " sessions, lost: "
                    + ledger.lost().size());
            return;
        }

        // THEN nothing is lost, order holds, every double effect is a crash's, and nothing was re-published
        assertThat(run.broker.messages(QUEUE)).isEmpty();
        assertThat(ledger.lost()).isEmpty();
        assertEndStateOfEveryKind(ledger);
        assertThat(ledger.orderViolations()).isEmpty();
        assertThat(run.host.crashedInvocations()).isPositive();
        assertThat(ledger.unexplainedDoubleEffects()).isEmpty();
        assertThat(ledger.brokerDeadLettered).isEmpty();
        assertThat(run.host.republished()).isZero();
    }

    @Test
    void transactionalMode_sessionBacklogsBeyondABatch_noEffectTwice_orderKept() {
        // GIVEN 1,500 orders in 50 sessions of 30, batches of 8, effects committed with the idempotency record
        Run run = new Run(ChaosLedger.plan(1_500, 30, 2027), IdempotencyMode.TRANSACTIONAL,
                COSMOS.get().newContainer("sluice-chaos"), new Setup(8, 10 * 8, true));
        ChaosLedger ledger = run.ledger;

        // WHEN the host drains the queue, and the effects are read back from Cosmos DB
        run.sendAndDrain();
        run.readEffectsFromCosmos();
        run.print("Azure chaos, transactional mode, session backlogs of 30 in batches of 8");

        // THEN nothing is lost, order holds, no effect was committed twice, nothing was re-published
        assertThat(run.broker.messages(QUEUE)).isEmpty();
        assertThat(ledger.lost()).isEmpty();
        assertEndStateOfEveryKind(ledger);
        assertThat(ledger.orderViolations()).isEmpty();
        assertThat(run.host.crashedInvocations()).isPositive();
        assertThat(ledger.effects).allSatisfy((key, n) -> assertThat(n.get()).as(key).isEqualTo(1));
        assertThat(run.host.republished()).isZero();
    }

    /** Poison is parked as POISON and never applied; clean orders are applied and never parked; transient ones end either way. */
    static void assertEndStateOfEveryKind(ChaosLedger ledger) {
        for (ChaosLedger.Sent s : ledger.sent.values()) {
            switch (s.kind()) {
                case POISON -> {
                    assertThat(ledger.effectsOf(s.key())).as(s.key()).isZero();
                    assertThat(ledger.parked.get(s.key())).as(s.key()).isNotEmpty().containsOnly("POISON");
                }
                case CLEAN -> {
                    assertThat(ledger.effectsOf(s.key())).as(s.key()).isPositive();
                    assertThat(ledger.parked).as(s.key()).doesNotContainKey(s.key());
                }
                case TRANSIENT -> {
                    if (ledger.effectsOf(s.key()) == 0) {
                        assertThat(ledger.parked.get(s.key())).as(s.key()).containsOnly("EXHAUSTED");
                    }
                }
                case FAILING -> {
                    assertThat(ledger.effectsOf(s.key())).as(s.key()).isZero();
                    assertThat(ledger.parked.get(s.key())).as(s.key()).containsExactly("EXHAUSTED");
                }
            }
        }
        // every EXHAUSTED dead letter came after exactly the configured number of handler executions
        assertThat(ledger.executionsBehindExhausted())
                .allSatisfy((key, executions) -> assertThat(executions).as(key).isEqualTo(MAX_ATTEMPTS));
        assertThat(ledger.brokerDeadLettered.values()).allSatisfy(reasons ->
                assertThat(reasons).containsOnly("MaxDeliveryCountExceeded"));
    }
}
