package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.MessageOutcome.DeadLettered;
import dev.sluice.core.MessageOutcome.Processed;
import dev.sluice.core.MessageOutcome.Retry;
import dev.sluice.core.TestMessages.Order;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import net.jqwik.api.constraints.Size;

/**
 * For random batches (random groups, random handler failures and delays, random bytes as bodies):
 * every message gets exactly one outcome, a group's messages run in order and none after its first
 * failure, and the pipeline never throws.
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
}
