package dev.sluice.azure.servicebus;

import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.QueueReader;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusDeadLetterQueue;
import dev.sluice.azure.ServiceBusRedrive;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.core.redrive.AttributeValue;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.testing.DeadLetterQueueContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The dead-letter-queue contract on the Service Bus broker model, reading Sluice's parking queue
 * ({@code <queue>-parking}). {@link ServiceBusNativeDeadLetterQueueContractTest} reads the native
 * {@code $DeadLetterQueue}. The Service Bus emulator needs Docker, which this machine lacks; the model keeps properties
 * typed as the SDK does, and {@code ServiceBusMessagesTest} checks the SDK mapping of every property type.
 */
class ServiceBusDeadLetterQueueContractTest extends DeadLetterQueueContract {
    static final String QUEUE = "orders";

    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final InMemoryServiceBus broker = new InMemoryServiceBus(clock);

    /** @return whether the contract reads the parking queue (else the native dead-letter sub-queue) */
    boolean parking() {
        return true;
    }

    @Override
    protected DeadLetterQueue newQueue() {
        broker.createQueue(QUEUE, new InMemoryServiceBus.QueueSettings(1, Duration.ofSeconds(30), false));
        broker.createQueue(QUEUE + "-parking", InMemoryServiceBus.QueueSettings.defaults());
        return ServiceBusDeadLetterQueue.of(QUEUE, parking(), ServiceBusRedrive.of(broker, broker).withReceiveWait(Duration.ZERO),
                broker, () -> { });
    }

    @Override
    protected void seed(Seed seed) {
        OutgoingMessage message = new OutgoingMessage(UUID.randomUUID().toString(), seed.body(),
                AttributeValue.textOf(seed.attributes()), seed.groupId(), "corr-1", seed.contentType(), null, seed.attributes());
        if (parking()) {
            broker.send(QUEUE + "-parking", message);
            return;
        }
        // delivered once and abandoned: with maxDeliveryCount 1, Service Bus moves it to $DeadLetterQueue
        broker.send(QUEUE, message);
        broker.receive(QUEUE, 10, Duration.ZERO).forEach(m -> broker.abandon(QUEUE, m));
        if (broker.messages(QueueReader.deadLetterQueueOf(QUEUE)).isEmpty()) {
            throw new IllegalStateException("the broker did not dead-letter the seed");
        }
    }

    @Override
    protected List<Arrived> drainTarget() {
        List<ReceivedMessage> received = broker.receive(QUEUE, 100, Duration.ZERO);
        received.forEach(m -> broker.complete(QUEUE, m));
        return received.stream().map(m -> new Arrived(m.body(), m.typedProperties(), m.sessionId(), m.contentType())).toList();
    }

    @Override
    protected boolean hasGroups() {
        return true;
    }

    @Override
    protected boolean hasContentType() {
        return true;
    }

    @Override
    protected boolean bodiesAreBytes() {
        return true;
    }
}
