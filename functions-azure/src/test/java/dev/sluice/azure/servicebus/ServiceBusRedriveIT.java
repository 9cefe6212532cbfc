package dev.sluice.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.QueueReader;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusRedrive;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.AuditRecord;
import dev.sluice.core.redrive.RedriveEngine;
import dev.sluice.core.redrive.RedriveFilter;
import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveReport;
import dev.sluice.core.redrive.RedriveRequest;
import dev.sluice.core.redrive.SluiceAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redrive from a queue's native {@code $DeadLetterQueue} and from its parking queue, on the broker model. */
class ServiceBusRedriveIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    private final List<AuditRecord> audit = new ArrayList<>();
    private final List<Duration> sleeps = new ArrayList<>();

    private RedriveEngine engine(OrdersFixture f) {
        return new RedriveEngine(f.clock, sleeps::add, audit::add);
    }

    private static RedriveRequest confirmed(RedriveFilter filter) {
        return RedriveRequest.builder().filter(filter).operator("alice@ops").confirmed(true).build();
    }

    @Test
    void redriveFromTheDeadLetterQueue_bringsMessagesBack_andSkipsThoseAlreadyDone() {
        // GIVEN a queue with maxDeliveryCount 2 whose parking queue was down: every delivery of the batch
        // threw, so Service Bus moved both messages to $DeadLetterQueue, though the good order had taken effect
        OrdersFixture f = new OrdersFixture(COSMOS.get().newContainer("sluice"),
                new InMemoryServiceBus.QueueSettings(2, Duration.ofMinutes(1), false));
        f.send(OrdersFixture.order("o-41", 100));
        f.send("not an order");
        f.broker.failSendsWhen((queue, messages) -> queue.equals(OrdersFixture.PARKING));
        f.host.runUntilIdle(10);
        assertThat(f.broker.deadLetters(OrdersFixture.QUEUE)).hasSize(2)
                .allSatisfy(s -> assertThat(s.properties()).containsEntry("DeadLetterReason", "MaxDeliveryCountExceeded"));
        assertThat(f.effectsOf("o-41")).isEqualTo(1);

        // WHEN the parking queue is back and an operator redrives the dead-letter queue
        f.broker.failSendsWhen(null);
        ServiceBusRedrive redrive = ServiceBusRedrive.of(f.broker, f.broker);
        RedriveReport report = engine(f).run(confirmed(RedriveFilter.all()),
                redrive.deadLetterQueue(OrdersFixture.QUEUE), redrive.queue(OrdersFixture.QUEUE), RedriveListener.NONE);
        f.host.runUntilIdle(10);

        // THEN both came back: the done order is a duplicate (no second effect), the bad body is parked
        assertThat(report.moved()).isEqualTo(2);
        assertThat(f.broker.deadLetters(OrdersFixture.QUEUE)).isEmpty();
        assertThat(f.effectsOf("o-41")).isEqualTo(1);
        assertThat(f.outcomes()).filteredOn(MessageOutcome.Duplicate.class::isInstance).hasSize(1);
        assertThat(f.parked()).singleElement().satisfies(s -> {
            assertThat(s.bodyText()).isEqualTo("not an order");
            assertThat(s.properties()).containsEntry(SluiceAttributes.FAILURE_KIND, "POISON")
                    .containsEntry(SluiceAttributes.REDRIVE_COUNT, "1")
                    .doesNotContainKeys("DeadLetterReason", "DeadLetterErrorDescription");
        });
        assertThat(audit).singleElement().satisfies(a -> {
            assertThat(a.source()).isEqualTo("orders/$DeadLetterQueue");
            assertThat(a.operator()).isEqualTo("alice@ops");
            assertThat(a.moved()).isEqualTo(2);
        });
    }

    @Test
    void redriveFromTheParkingQueue_honoursFilterAndDryRun_andTheRetriedOrderTakesEffectOnce() {
        // GIVEN an order parked as EXHAUSTED during an outage and a poison body parked beside it
        OrdersFixture f = new OrdersFixture(COSMOS.get().newContainer("sluice"), InMemoryServiceBus.QueueSettings.defaults());
        f.alwaysFail.add("o-51");
        f.send(OrdersFixture.order("o-51", 100));
        f.send("[]");
        f.host.runUntilIdle(20);
        assertThat(f.parked()).hasSize(2);
        ServiceBusRedrive redrive = ServiceBusRedrive.of(f.broker, f.broker);
        RedriveFilter exhaustedOnly = RedriveFilter.builder().kinds(Set.of(FailureKind.EXHAUSTED)).build();

        // WHEN an operator first dry-runs, then redrives only EXHAUSTED messages after the outage ends
        RedriveReport dryRun = engine(f).run(RedriveRequest.builder().filter(exhaustedOnly).dryRun(true).operator("bob").build(),
                redrive.parkingQueue(OrdersFixture.PARKING), redrive.queue(OrdersFixture.QUEUE), RedriveListener.NONE);
        assertThat(dryRun.matched()).isEqualTo(1);
        assertThat(f.parked()).hasSize(2);
        f.alwaysFail.clear();
        RedriveReport real = engine(f).run(confirmed(exhaustedOnly),
                redrive.parkingQueue(OrdersFixture.PARKING), redrive.queue(OrdersFixture.QUEUE), RedriveListener.NONE);
        f.host.runUntilIdle(10);

        // THEN the order took effect once, with its stable id; the poison body stays parked
        assertThat(real.moved()).isEqualTo(1);
        assertThat(f.effectsOf("o-51")).isEqualTo(1);
        assertThat(f.parked()).singleElement()
                .satisfies(s -> assertThat(s.properties()).containsEntry(SluiceAttributes.FAILURE_KIND, "POISON"));
        assertThat(audit).extracting(AuditRecord::dryRun).containsExactly(true, false);
    }

    @Test
    void redriveThatCrashesBeforeRemovingTheOriginal_isCaughtByIdempotencyNextTime() {
        // GIVEN a parked order that succeeds once redriven, and a parking queue whose first complete fails
        OrdersFixture f = new OrdersFixture(COSMOS.get().newContainer("sluice"), InMemoryServiceBus.QueueSettings.defaults());
        f.alwaysFail.add("o-61");
        f.send(OrdersFixture.order("o-61", 100));
        f.host.runUntilIdle(20);
        f.alwaysFail.clear();
        AtomicInteger completeFailures = new AtomicInteger(1);
        QueueReader flakyReader = new QueueReader() {
            @Override
            public List<ReceivedMessage> receive(String path, int max, Duration wait) {
                return f.broker.receive(path, max, wait);
            }

            @Override
            public void complete(String path, ReceivedMessage message) {
                if (completeFailures.getAndDecrement() > 0) {
                    f.broker.abandon(path, message);
                    throw new IllegalStateException("connection lost");
                }
                f.broker.complete(path, message);
            }

            @Override
            public void abandon(String path, ReceivedMessage message) {
                f.broker.abandon(path, message);
            }
        };
        ServiceBusRedrive redrive = ServiceBusRedrive.of(flakyReader, f.broker);

        // WHEN the first redrive sends the copy but cannot remove the original, and a second redrive runs
        engine(f).run(confirmed(RedriveFilter.all()), redrive.parkingQueue(OrdersFixture.PARKING),
                redrive.queue(OrdersFixture.QUEUE), RedriveListener.NONE);
        f.host.runUntilIdle(10);
        engine(f).run(confirmed(RedriveFilter.all()), redrive.parkingQueue(OrdersFixture.PARKING),
                redrive.queue(OrdersFixture.QUEUE), RedriveListener.NONE);
        f.host.runUntilIdle(10);

        // THEN the order took effect once; the second copy was a duplicate; the parking queue is empty
        assertThat(f.effectsOf("o-61")).isEqualTo(1);
        assertThat(f.outcomes()).filteredOn(MessageOutcome.Duplicate.class::isInstance).hasSize(1);
        assertThat(f.parked()).isEmpty();
    }
}
