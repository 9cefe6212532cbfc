package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.Hashes;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.testing.MutableClock;
import dev.sluice.core.testing.TestMessages.Order;
import dev.sluice.core.testing.TestMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * For random batches (random groups, random handler failures and delays, random bytes as bodies):
 * every message gets exactly one outcome, a group's messages run in order and none after its first
 * failure, and the pipeline never throws. Over many deliveries with an idempotency store: a message is
 * dead-lettered {@code EXHAUSTED} only after exactly {@code maxAttempts} executions of the handler, however
 * many deliveries never ran it.
 */
class BatchProcessorProperties {

    enum Behaviour { OK, RETRYABLE, PERMANENT, SLOW, GARBAGE }

    record Spec(String id, String group, Behaviour behaviour, byte[] garbage) {}

    @Provide
    Arbitrary<Spec> specs() {
        Arbitrary<String> groups = Arbitraries.of("", "", "g1", "g2", "g3");
        Arbitrary<Behaviour> behaviours = Arbitraries.of(Behaviour.class);
        Arbitrary<byte[]> garbage = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<String> ids = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(3);
        return Combinators.combine(ids, groups, behaviours, garbage).as(Spec::new);
    }

    @Property(tries = 300)
    void everyMessageGetsExactlyOneOutcome_groupsKeepOrder_andNothingThrows(
            @ForAll @Size(max = 25) List<@From("specs") Spec> specs,
            @ForAll boolean idempotent,
            @ForAll("concurrency") int concurrency) {
        // GIVEN a handler whose behaviour each message's body selects
        Map<String, List<String>> executedByGroup = new ConcurrentHashMap<>();
        List<String> executed = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> successesByKey = new ConcurrentHashMap<>();
        MessageHandler<Order> handler = (message, context) -> {
            String key = message.providerMessageId();
            executed.add(key);
            message.groupKey().ifPresent(g -> executedByGroup.computeIfAbsent(g, x -> new CopyOnWriteArrayList<>()).add(key));
            switch (Behaviour.valueOf(message.body().orderId())) {
                case RETRYABLE -> throw new IllegalStateException("transient");
                case PERMANENT -> throw new PermanentFailureException("never");
                case SLOW -> Thread.sleep(2);
                default -> { }
            }
            successesByKey.computeIfAbsent(message.id(), x -> new AtomicInteger()).incrementAndGet();
        };
        BatchProcessor.Builder<Order> builder = BatchProcessor.<Order>builder().queueName("q").handler(handler)
                .codec(JsonCodec.of(Order.class)).concurrency(concurrency).circuitBreaker(0, Duration.ZERO)
                .random(RandomGenerator.of("L64X128MixRandom"))
                .logSink(event -> { });
        if (idempotent) {
            builder.idempotency(IdempotencyOptions.builder().store(new InMemoryIdempotencyStore()).build());
        }
        BatchProcessor<Order> processor = builder.build();
        List<IncomingMessage> batch = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec spec = specs.get(i);
            byte[] body = spec.behaviour() == Behaviour.GARBAGE ? spec.garbage()
                    : TestMessages.orderJson(spec.behaviour().name(), 1).getBytes(StandardCharsets.UTF_8);
            batch.add(IncomingMessage.builder().providerMessageId("m" + i)
                    .attribute(SluiceAttributes.ORIGINAL_MESSAGE_ID, spec.id())
                    .body(body).groupKey(spec.group()).sourceQueue("q").build());
        }

        // WHEN the batch is processed (it must not throw)
        BatchResult result = processor.process(batch, Instant.now().plus(Duration.ofMinutes(1)));

        // THEN one outcome per message, in input order
        assertThat(result.outcomes()).hasSize(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            assertThat(result.outcomes().get(i).message()).isSameAs(batch.get(i));
        }
        // AND no message ran twice within the batch; processed ones ran; undecodable ones never ran
        assertThat(executed).doesNotHaveDuplicates();
        for (MessageOutcome outcome : result.outcomes()) {
            String id = outcome.message().providerMessageId();
            if (outcome instanceof Processed) {
                assertThat(executed).contains(id);
            }
            if (outcome instanceof DeadLettered d && d.kind() == FailureKind.POISON) {
                assertThat(executed).doesNotContain(id);
            }
        }
        // AND each group ran in batch order and stopped at its first retry
        Map<String, List<String>> expectedByGroup = new HashMap<>();
        Map<String, Boolean> blocked = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            IncomingMessage message = batch.get(i);
            if (message.groupKey().isEmpty()) {
                continue;
            }
            String group = message.groupKey().get();
            MessageOutcome outcome = result.outcomes().get(i);
            if (blocked.getOrDefault(group, false)) {
                assertThat(outcome).isInstanceOf(Retry.class);
                assertThat(executed).doesNotContain(message.providerMessageId());
                continue;
            }
            if (executed.contains(message.providerMessageId())) {
                expectedByGroup.computeIfAbsent(group, g -> new ArrayList<>()).add(message.providerMessageId());
            }
            if (outcome instanceof Retry) {
                blocked.put(group, true);
            }
        }
        expectedByGroup.forEach((group, order) -> assertThat(executedByGroup.get(group)).containsExactlyElementsOf(order));
        // AND with idempotency, no key succeeded twice
        if (idempotent) {
            successesByKey.values().forEach(count -> assertThat(count.get()).isLessThanOrEqualTo(1));
        }
    }

    @Provide
    Arbitrary<Integer> concurrency() {
        return Arbitraries.integers().between(1, 8);
    }

    /** How a message's executions go: how many fail before one succeeds (or all fail, or one fails for good). */
    enum Fate {
        OK(0), FAIL_ONCE(1), FAIL_TWICE(2), ALWAYS(Integer.MAX_VALUE), PERMANENT(0);

        final int failures;

        Fate(int failures) {
            this.failures = failures;
        }
    }

    record Plan(String group, Fate fate) {}

    @Provide
    Arbitrary<Plan> plans() {
        return Combinators.combine(Arbitraries.of("", "", "g1", "g2"), Arbitraries.of(Fate.class)).as(Plan::new);
    }

    @Property(tries = 200)
    void exhaustedOnlyAfterExactlyMaxAttemptsExecutions_whateverDeliveriesDidNotRunTheHandler(
            @ForAll @Size(min = 1, max = 12) List<@From("plans") Plan> plans,
            @ForAll @IntRange(min = 1, max = 4) int maxAttempts,
            @ForAll long seed) {
        // GIVEN a handler that fails each message as its fate says, counting executions per message
        Random random = new Random(seed);
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        MessageHandler<Order> handler = (message, context) -> {
            int n = executions.computeIfAbsent(message.id(), k -> new AtomicInteger()).incrementAndGet();
            Fate fate = Fate.valueOf(message.body().orderId());
            if (fate == Fate.PERMANENT) {
                throw new PermanentFailureException("never");
            }
            if (n <= fate.failures) {
                throw new IllegalStateException("transient");
            }
        };
        Duration lease = Duration.ofMinutes(5);
        BatchProcessor<Order> processor = BatchProcessor.<Order>builder().queueName("q").handler(handler)
                .codec(JsonCodec.of(Order.class)).concurrency(4).circuitBreaker(0, Duration.ZERO)
                .retryPolicy(RetryPolicy.exponential(maxAttempts, Duration.ofMillis(10), Duration.ofSeconds(1)))
                .idempotency(IdempotencyOptions.builder().store(store).lease(lease).build())
                .clock(clock).random(RandomGenerator.of("L64X128MixRandom")).logSink(event -> { })
                .build();
        int[] deliveries = new int[plans.size()];
        Map<Integer, MessageOutcome> finals = new HashMap<>();
        Map<Integer, Integer> executionsAtEnd = new HashMap<>();

        // WHEN the messages are delivered again and again: random subsets, a twin that crashed before the
        // handler holding a lease, batches past their time budget, groups blocked behind a failure
        for (int round = 0; round < 80 && finals.size() < plans.size(); round++) {
            clock.advance(random.nextInt(4) == 0 ? lease.plusMinutes(1) : Duration.ofSeconds(1));
            List<IncomingMessage> batch = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < plans.size(); i++) {
                if (finals.containsKey(i) || random.nextInt(4) == 0) {
                    continue;
                }
                byte[] body = TestMessages.orderJson(plans.get(i).fate().name(), 1).getBytes(StandardCharsets.UTF_8);
                if (random.nextInt(6) == 0) {
                    Instant now = clock.instant();
                    store.begin(new BeginRequest("m" + i, Hashes.sha256Hex(body), now, now.plus(lease), now.plus(Duration.ofDays(1))));
                }
                batch.add(IncomingMessage.builder().providerMessageId("m" + i).body(body).groupKey(plans.get(i).group())
                        .deliveryCount(++deliveries[i]).sourceQueue("q").build());
                indexes.add(i);
            }
            if (batch.isEmpty()) {
                continue;
            }
            Duration budget = random.nextInt(8) == 0 ? Duration.ofMillis(1) : Duration.ofMinutes(1);
            BatchResult result = processor.process(batch, clock.instant().plus(budget));
            for (int j = 0; j < batch.size(); j++) {
                MessageOutcome outcome = result.outcomes().get(j);
                if (!(outcome instanceof Retry)) {
                    finals.put(indexes.get(j), outcome);
                    executionsAtEnd.put(indexes.get(j), executions.getOrDefault("m" + indexes.get(j), new AtomicInteger()).get());
                }
            }
        }

        // THEN no message ran more than maxAttempts times, and each final outcome follows from its executions
        executions.values().forEach(n -> assertThat(n.get()).isLessThanOrEqualTo(maxAttempts));
        finals.forEach((i, outcome) -> {
            Fate fate = plans.get(i).fate();
            int ran = executionsAtEnd.get(i);
            if (outcome instanceof DeadLettered d && d.kind() == FailureKind.EXHAUSTED) {
                assertThat(ran).as("executions behind EXHAUSTED m%d", i).isEqualTo(maxAttempts);
                assertThat(d.envelope().attempts()).isEqualTo(maxAttempts);
                assertThat(fate.failures).isGreaterThanOrEqualTo(maxAttempts);
            } else if (fate == Fate.PERMANENT) {
                assertThat(outcome).isInstanceOfSatisfying(DeadLettered.class, d -> assertThat(d.kind()).isEqualTo(FailureKind.PERMANENT));
                assertThat(ran).isEqualTo(1);
            } else {
                assertThat(outcome).as("m%d (%s)", i, fate).isInstanceOf(Processed.class);
                assertThat(fate.failures).isLessThan(maxAttempts);
                assertThat(ran).isEqualTo(fate.failures + 1);
            }
        });
    }
}
