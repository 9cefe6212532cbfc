package dev.sluice.azure.servicebus;

import com.azure.cosmos.CosmosContainer;
import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ServiceBusBatchConsumer;
import dev.sluice.azure.testing.FunctionsHostSimulator;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.azure.testing.Order;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.pipeline.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * An order consumer wired as in production, on the broker model, the host simulator and the local
 * Cosmos server: idempotency key {@code /orderId}, 3 attempts, backoff 1 s..60 s. Its handler applies an
 * effect per order (counted), fails transiently for orders listed in {@link #failFirst}, always for
 * {@link #alwaysFail}, and permanently for non-positive amounts.
 */
final class OrdersFixture {
    static final String QUEUE = "orders";
    static final String PARKING = "orders-parking";

    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final InMemoryServiceBus broker = new InMemoryServiceBus(clock);
    final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> failFirst = new ConcurrentHashMap<>();
    final Set<String> alwaysFail = ConcurrentHashMap.newKeySet();
    /** Per session: the order ids in the order their effects happened. */
    final Map<String, List<String>> sessionEffects = new ConcurrentHashMap<>();
    /** Per order id: the clock times its handler ran. */
    final Map<String, List<Instant>> runs = new ConcurrentHashMap<>();
    final List<Instant> invocationTimes = Collections.synchronizedList(new ArrayList<>());
    final List<BatchResult> results = Collections.synchronizedList(new ArrayList<>());
    final InMemoryMetrics metrics = new InMemoryMetrics();
    final ServiceBusBatchConsumer<Order> consumer;
    final FunctionsHostSimulator host;

    OrdersFixture(CosmosContainer container, InMemoryServiceBus.QueueSettings settings) {
        broker.createQueue(QUEUE, settings);
        broker.createQueue(PARKING, InMemoryServiceBus.QueueSettings.defaults());
        BatchProcessor<Order> processor = BatchProcessor.<Order>builder()
                .queueName(QUEUE)
                .handler((message, context) -> {
                    Order order = message.body();
                    runs.computeIfAbsent(order.orderId(), k -> Collections.synchronizedList(new ArrayList<>())).add(clock.instant());
                    if (order.amountCents() <= 0) {
                        throw new PermanentFailureException("amount must be positive for order " + order.orderId());
                    }
                    if (alwaysFail.contains(order.orderId())) {
                        throw new IllegalStateException("payment service unavailable");
                    }
                    AtomicInteger failures = failFirst.get(order.orderId());
                    if (failures != null && failures.getAndDecrement() > 0) {
                        throw new IllegalStateException("payment service timed out");
                    }
                    effects.computeIfAbsent(order.orderId(), k -> new AtomicInteger()).incrementAndGet();
                    message.groupKey().ifPresent(session -> sessionEffects
                            .computeIfAbsent(session, k -> Collections.synchronizedList(new ArrayList<>())).add(order.orderId()));
                })
                .codec(JsonCodec.of(Order.class))
                .retryPolicy(RetryPolicy.exponential(3, Duration.ofSeconds(1), Duration.ofSeconds(60)))
                .idempotency(IdempotencyOptions.builder()
                        .store(CosmosIdempotencyStore.builder().container(container).build())
                        .keyPointer("/orderId")
                        .build())
                .circuitBreaker(0, Duration.ofSeconds(30))
                .clock(clock)
                .random(RandomGenerator.of("L64X128MixRandom"))
                .metrics(metrics)
                .build();
        consumer = ServiceBusBatchConsumer.<Order>builder()
                .processor(processor)
                .publisher(broker)
                .parkingQueue(PARKING)
                .clock(clock)
                // a session batch waiting a backoff passes the model's time (the host renews the locks)
                .sleeper(clock::advance)
                .build();
        host = new FunctionsHostSimulator(broker, clock, QUEUE, settings.sessions(), 32, batch -> {
            invocationTimes.add(clock.instant());
            results.add(consumer.process(batch));
        });
    }

    static String order(String id, long amountCents) {
        return "{\"orderId\":\"" + id + "\",\"customerId\":\"c-1\",\"amountCents\":" + amountCents + ",\"currency\":\"EUR\"}";
    }

    void send(String body) {
        send(body, null);
    }

    void send(String body, String sessionId) {
        broker.send(QUEUE, new OutgoingMessage(UUID.randomUUID().toString(), body.getBytes(StandardCharsets.UTF_8),
                Map.of("correlation-id", "corr-" + body.hashCode()), sessionId, null, "application/json", null));
    }

    int effectsOf(String orderId) {
        AtomicInteger count = effects.get(orderId);
        return count == null ? 0 : count.get();
    }

    List<MessageOutcome> outcomes() {
        return results.stream().flatMap(r -> r.outcomes().stream()).toList();
    }

    List<InMemoryServiceBus.Stored> parked() {
        return broker.messages(PARKING);
    }
}
