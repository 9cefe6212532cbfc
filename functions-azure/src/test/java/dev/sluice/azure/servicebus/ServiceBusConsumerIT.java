package dev.sluice.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.azure.RepublishException;
import dev.sluice.azure.SessionRetryException;
import dev.sluice.azure.testing.FunctionsHostSimulator.Invocation;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.SluiceAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Azure consumer end to end: broker model, Functions host simulator, {@code ServiceBusBatchConsumer},
 * and idempotency on the local Cosmos server.
 */
class ServiceBusConsumerIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    private OrdersFixture fixture(InMemoryServiceBus.QueueSettings settings) {
        return new OrdersFixture(COSMOS.get().newContainer("sluice"), settings);
    }

    @Test
    void mixedBatch_processesEachMessageOnce_orParksItWithTheRightFailureKind() {
        // GIVEN an order already handled earlier
        OrdersFixture f = fixture(InMemoryServiceBus.QueueSettings.defaults());
        f.send(OrdersFixture.order("o-0", 500));
        f.host.runUntilIdle(10);

        // AND a batch with: good orders, a redelivered duplicate, a transient failure, a permanent failure,
        // a handler that keeps failing, and a body that is not JSON
        f.failFirst.put("o-3", new AtomicInteger(1));
        f.alwaysFail.add("o-4");
        f.send(OrdersFixture.order("o-1", 100));
        f.send(OrdersFixture.order("o-0", 500));
        f.send(OrdersFixture.order("o-2", 200));
        f.send(OrdersFixture.order("o-3", 300));
        f.send(OrdersFixture.order("o-5", -5));
        f.send(OrdersFixture.order("o-4", 400));
        f.send("{not json");

        // WHEN the host delivers until the queue is idle
        List<Invocation> invocations = f.host.runUntilIdle(50);

        // THEN every order's effect happened exactly once, the duplicate included
        assertThat(invocations).allMatch(Invocation::completed);
        assertThat(List.of("o-0", "o-1", "o-2", "o-3")).allSatisfy(id -> assertThat(f.effectsOf(id)).as(id).isEqualTo(1));
        assertThat(f.outcomes()).filteredOn(MessageOutcome.Duplicate.class::isInstance).hasSize(1);
        // AND the three that cannot succeed are parked, body unchanged, with their failure kind
        assertThat(f.parked())
                .extracting(s -> s.properties().get(SluiceAttributes.FAILURE_KIND), s -> s.bodyText())
                .containsExactlyInAnyOrder(
                        tuple("POISON", "{not json"),
                        tuple("PERMANENT", OrdersFixture.order("o-5", -5)),
                        tuple("EXHAUSTED", OrdersFixture.order("o-4", 400)));
        assertThat(f.parked()).filteredOn(s -> "EXHAUSTED".equals(s.properties().get(SluiceAttributes.FAILURE_KIND)))
                .singleElement()
                .satisfies(s -> assertThat(s.properties()).containsEntry(SluiceAttributes.ATTEMPTS, "3")
                        .containsEntry(SluiceAttributes.SOURCE_QUEUE, OrdersFixture.QUEUE)
                        .containsKey(SluiceAttributes.ERROR_FINGERPRINT));
        // AND nothing is left in the queue or in Service Bus's own dead-letter queue
        assertThat(f.broker.messages(OrdersFixture.QUEUE)).isEmpty();
        assertThat(f.broker.deadLetters(OrdersFixture.QUEUE)).isEmpty();
        assertThat(f.runs.get("o-4")).hasSize(3);
    }

    @Test
    void retries_arriveOnlyAfterTheirBackoff() {
        // GIVEN an order whose handler fails twice before it succeeds
        OrdersFixture f = fixture(InMemoryServiceBus.QueueSettings.defaults());
        f.failFirst.put("o-7", new AtomicInteger(2));
        f.send(OrdersFixture.order("o-7", 700));

        // WHEN the host delivers until idle
        f.host.runUntilIdle(20);

        // THEN it ran three times, each run no earlier than the previous run plus the backoff it was given
        List<Instant> runs = f.runs.get("o-7");
        List<MessageOutcome.Retry> retries = f.outcomes().stream()
                .filter(MessageOutcome.Retry.class::isInstance).map(MessageOutcome.Retry.class::cast).toList();
        assertThat(runs).hasSize(3);
        assertThat(retries).hasSize(2).allSatisfy(r -> assertThat(r.delay()).isPositive());
        for (int i = 0; i < retries.size(); i++) {
            assertThat(runs.get(i + 1)).isAfterOrEqualTo(runs.get(i).plus(retries.get(i).delay()));
        }
        assertThat(f.effectsOf("o-7")).isEqualTo(1);
        // AND the copy carried the attempt count and the original id
        assertThat(retries.get(1).message().attributes())
                .containsEntry(SluiceAttributes.ATTEMPT, "1")
                .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, retries.get(0).message().id());
    }

    @Test
    void failedRepublish_makesTheHostRedeliverTheBatch_andNothingRunsTwice() {
        // GIVEN a batch with good orders and one transient failure, and a broker that refuses the first re-publish
        OrdersFixture f = fixture(InMemoryServiceBus.QueueSettings.defaults());
        f.failFirst.put("o-12", new AtomicInteger(1));
        f.send(OrdersFixture.order("o-11", 100));
        f.send(OrdersFixture.order("o-12", 200));
        f.send(OrdersFixture.order("o-13", 300));
        AtomicInteger refusals = new AtomicInteger(1);
        f.broker.failSendsWhen((queue, messages) -> queue.equals(OrdersFixture.QUEUE) && refusals.getAndDecrement() > 0);

        // WHEN the host delivers until idle
        List<Invocation> invocations = f.host.runUntilIdle(20);

        // THEN the first invocation threw, so the host abandoned the batch and Service Bus redelivered it
        assertThat(invocations.getFirst().failure()).isInstanceOf(RepublishException.class);
        assertThat(invocations.get(1).messageIds()).containsExactlyElementsOf(invocations.getFirst().messageIds());
        // AND the orders that had succeeded were recognised as duplicates: every effect happened once
        assertThat(List.of("o-11", "o-12", "o-13")).allSatisfy(id -> assertThat(f.effectsOf(id)).as(id).isEqualTo(1));
        assertThat(f.outcomes()).filteredOn(MessageOutcome.Duplicate.class::isInstance).hasSize(2);
        assertThat(f.broker.messages(OrdersFixture.QUEUE)).isEmpty();
        assertThat(f.parked()).isEmpty();
    }

    @Test
    void sessionOrder_holdsUnderFailures() {
        // GIVEN two sessions whose messages interleave, and a transient failure in the middle of session A
        OrdersFixture f = fixture(InMemoryServiceBus.QueueSettings.withSessions());
        f.failFirst.put("a2", new AtomicInteger(1));
        f.failFirst.put("b3", new AtomicInteger(2));
        for (int i = 1; i <= 5; i++) {
            f.send(OrdersFixture.order("a" + i, 100 + i), "session-a");
            if (i <= 4) {
                f.send(OrdersFixture.order("b" + i, 200 + i), "session-b");
            }
        }

        // WHEN the host delivers session batches until idle
        List<Invocation> invocations = f.host.runUntilIdle(30);

        // THEN each session's effects happened in send order, each once
        assertThat(f.sessionEffects).containsExactlyInAnyOrderEntriesOf(Map.of(
                "session-a", List.of("a1", "a2", "a3", "a4", "a5"),
                "session-b", List.of("b1", "b2", "b3", "b4")));
        // AND each failure made the host abandon its session's batch after the backoff (nothing was re-published):
        // a2 once, b3 twice
        assertThat(invocations).allMatch(i -> i.sessionId() != null);
        assertThat(invocations).filteredOn(i -> i.failure() instanceof SessionRetryException)
                .extracting(Invocation::sessionId).containsExactlyInAnyOrder("session-a", "session-b", "session-b");
        assertThat(f.broker.sendCalls()).as("only the producer's sends").isEqualTo(9);
        assertThat(f.broker.messages(OrdersFixture.QUEUE)).isEmpty();
    }

    @Test
    void aBodyThatIsNotUtf8_arrivesAsItsExactBytes_andIsParkedAsPoisonWithAReason_neverChanged() {
        // GIVEN a body with bytes that are not UTF-8 (bound as binary, so no replacement character on the way)
        OrdersFixture f = fixture(InMemoryServiceBus.QueueSettings.defaults());
        byte[] body = {'{', '"', 'o', '"', ':', (byte) 0xff, (byte) 0xfe, '}'};
        f.broker.send(OrdersFixture.QUEUE, new dev.sluice.azure.OutgoingMessage("m-bytes", body, Map.of(), null, null, null, null));

        // WHEN the host delivers it
        f.host.runUntilIdle(5);

        // THEN it is parked as POISON with a reason, its bytes exactly as sent
        assertThat(f.broker.messages(OrdersFixture.PARKING)).singleElement().satisfies(s -> {
            assertThat(s.message().body()).containsExactly(body);
            assertThat(s.properties()).containsEntry(SluiceAttributes.FAILURE_KIND, "POISON")
                    .containsKey(SluiceAttributes.ERROR_MESSAGE);
        });
        assertThat(f.broker.messages(OrdersFixture.QUEUE)).isEmpty();
    }

    @Test
    void parkingFailure_isRetriedByRedelivery_andTheMessageIsParkedOnce() {
        // GIVEN a batch with a good order and a poison body, and a parking queue that refuses one send
        OrdersFixture f = fixture(InMemoryServiceBus.QueueSettings.defaults());
        f.send(OrdersFixture.order("o-21", 100));
        f.send("<xml/>");
        AtomicInteger refusals = new AtomicInteger(1);
        f.broker.failSendsWhen((queue, messages) -> queue.equals(OrdersFixture.PARKING) && refusals.getAndDecrement() > 0);

        // WHEN the host delivers until idle
        List<Invocation> invocations = f.host.runUntilIdle(10);

        // THEN the batch came twice; the good order ran once and the poison body is parked once
        assertThat(invocations).extracting(Invocation::completed).containsExactly(false, true);
        assertThat(f.effectsOf("o-21")).isEqualTo(1);
        assertThat(f.parked()).singleElement().satisfies(s -> assertThat(s.bodyText()).isEqualTo("<xml/>"));
        assertThat(f.broker.messages(OrdersFixture.QUEUE)).isEmpty();
    }

    @Test
    void sameOrderTwiceInOneBatch_takesEffectOnce_andMetricsCountIt() {
        // GIVEN two deliveries of one order in the same batch: one holds the lease, the other must wait
        OrdersFixture f = fixture(InMemoryServiceBus.QueueSettings.defaults());
        f.send(OrdersFixture.order("o-31", 100));
        f.send(OrdersFixture.order("o-31", 100));

        // WHEN the host delivers until idle
        f.host.runUntilIdle(10);

        // THEN the order took effect once and the metrics say so
        assertThat(f.effectsOf("o-31")).isEqualTo(1);
        assertThat(f.metrics.total(dev.sluice.core.observability.SluiceMetrics.COMPLETED)).isEqualTo(1);
        assertThat(f.metrics.total(dev.sluice.core.observability.SluiceMetrics.DUPLICATE)).isEqualTo(1);
    }
}
