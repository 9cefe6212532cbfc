package dev.sluice.azure.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.QueueReader;
import dev.sluice.azure.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker model against the Service Bus behaviours the session design rests on; each test names the documentation
 * it follows (docs/proposals/azure-session-order.md quotes them).
 */
class InMemoryServiceBusTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryServiceBus broker = new InMemoryServiceBus(clock);

    private void send(String queue, String id, String session) {
        broker.send(queue, new OutgoingMessage(id, id.getBytes(StandardCharsets.UTF_8), Map.of(), session, null, null, null));
    }

    private static List<String> ids(List<ReceivedMessage> messages) {
        return messages.stream().map(ReceivedMessage::messageId).toList();
    }

    /**
     * "Abandon ... will make the message available again for immediate processing"; DeliveryCount "is incremented when
     * a message lock expires, or the message is explicitly abandoned" (ServiceBusReceiver.AbandonMessageAsync,
     * ServiceBusReceivedMessage.DeliveryCount). In a session, messages are delivered in the order they were sent
     * (message sessions: first-in, first-out): an abandoned batch comes back first, before later messages of the session.
     */
    @Test
    void abandon_raisesTheDeliveryCount_andTheSessionDeliversTheAbandonedMessagesFirst() {
        broker.createQueue("q", new InMemoryServiceBus.QueueSettings(10, Duration.ofSeconds(30), true));
        for (int i = 1; i <= 5; i++) {
            send("q", "m" + i, "s");
        }

        List<ReceivedMessage> first = broker.receiveSession("q", 2);
        first.forEach(m -> broker.abandon("q", m));
        broker.releaseSession("q", "s");
        List<ReceivedMessage> again = broker.receiveSession("q", 3);

        assertThat(ids(first)).containsExactly("m1", "m2");
        assertThat(ids(again)).containsExactly("m1", "m2", "m3");
        assertThat(again).extracting(ReceivedMessage::deliveryCount).containsExactly(2, 2, 1);
    }

    /**
     * Past MaxDeliveryCount a message is moved to the dead-letter sub-queue with DeadLetterReason
     * MaxDeliveryCountExceeded (Service Bus dead-letter queues); the rest of its session is then delivered.
     */
    @Test
    void pastMaxDeliveryCount_theMessageIsDeadLettered_andItsSessionGoesOn() {
        broker.createQueue("q", new InMemoryServiceBus.QueueSettings(2, Duration.ofSeconds(30), true));
        send("q", "m1", "s");
        send("q", "m2", "s");

        for (int i = 0; i < 2; i++) {
            broker.receiveSession("q", 1).forEach(m -> broker.abandon("q", m));
            broker.releaseSession("q", "s");
        }
        List<ReceivedMessage> next = broker.receiveSession("q", 10);

        assertThat(ids(next)).containsExactly("m2");
        assertThat(broker.messages(QueueReader.deadLetterQueueOf("q"))).singleElement()
                .satisfies(s -> assertThat(s.properties()).containsEntry("DeadLetterReason", "MaxDeliveryCountExceeded"));
    }

    /**
     * A lock that is not renewed lapses after the lock duration and the message is delivered again with its count raised
     * (message transfers, locks and settlement); while the Functions host runs the function it renews the locks
     * (maxAutoLockRenewalDuration), so a long function keeps them.
     */
    @Test
    void anUnrenewedLockLapses_aRenewedOneHolds() {
        broker.createQueue("q", new InMemoryServiceBus.QueueSettings(10, Duration.ofSeconds(5), false));
        send("q", "m1", null);
        send("q", "m2", null);
        List<ReceivedMessage> held = broker.receive("q", 1, Duration.ZERO);
        List<ReceivedMessage> renewed = broker.receive("q", 1, Duration.ZERO);
        broker.startRenewing("q", renewed);

        clock.advance(Duration.ofSeconds(6));
        List<ReceivedMessage> redelivered = broker.receive("q", 10, Duration.ZERO);
        broker.complete("q", renewed.getFirst());

        assertThat(ids(held)).containsExactly("m1");
        assertThat(ids(redelivered)).containsExactly("m1");
        assertThat(redelivered.getFirst().deliveryCount()).isEqualTo(2);
        assertThat(broker.messages("q")).extracting(s -> s.message().messageId()).containsExactly("m1");
    }

    /** A session is locked to one receiver at a time (message sessions): another receiver gets another session. */
    @Test
    void aLockedSession_goesToNoOtherReceiver() {
        broker.createQueue("q", new InMemoryServiceBus.QueueSettings(10, Duration.ofSeconds(30), true));
        send("q", "a1", "a");
        send("q", "b1", "b");
        send("q", "a2", "a");

        List<ReceivedMessage> first = broker.receiveSession("q", 10);
        List<ReceivedMessage> second = broker.receiveSession("q", 10);

        assertThat(ids(first)).containsExactly("a1", "a2");
        assertThat(ids(second)).containsExactly("b1");
    }
}
