package dev.sluice.azure.servicebus;

import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.QueueInspector;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusDeadLetterQueue;
import dev.sluice.azure.ServiceBusMessaging;
import dev.sluice.azure.ServiceBusRedrive;
import dev.sluice.azure.testing.ServiceBusEmulator;
import dev.sluice.core.redrive.AttributeValue;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.core.redrive.QueueStats;
import dev.sluice.core.testing.DeadLetterQueueContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The dead-letter-queue contract on the Service Bus emulator (Testcontainers), reading the parking queue through the
 * SDK-backed {@link ServiceBusMessaging}; skipped without Docker. The emulator serves no administration API, so the
 * count comes from a peek of the whole (small) queue.
 */
class ServiceBusDeadLetterQueueEmulatorIT extends DeadLetterQueueContract {
    private static ServiceBusEmulator emulator;
    private static ServiceBusMessaging messaging;

    @BeforeAll
    static void startEmulator() {
        emulator = ServiceBusEmulator.start(ServiceBusEmulator.queue("orders", 10, false, false),
                ServiceBusEmulator.queue("orders-parking", 10, false, false));
        messaging = emulator.messaging();
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private static List<ReceivedMessage> drain(String path) {
        List<ReceivedMessage> all = new ArrayList<>();
        for (List<ReceivedMessage> batch = messaging.receive(path, 50, Duration.ofSeconds(2)); !batch.isEmpty();
             batch = messaging.receive(path, 50, Duration.ofSeconds(2))) {
            batch.forEach(m -> messaging.complete(path, m));
            all.addAll(batch);
        }
        return all;
    }

    @Override
    protected DeadLetterQueue newQueue() {
        drain("orders");
        drain("orders-parking");
        QueueInspector inspector = new QueueInspector() {
            @Override
            public QueueStats stats(String path) {
                return new QueueStats(path, messaging.peek(path, 1000).size(), 0, null);
            }

            @Override
            public List<ReceivedMessage> peek(String path, int max) {
                return messaging.peek(path, max);
            }
        };
        return ServiceBusDeadLetterQueue.of("orders", true, ServiceBusRedrive.of(messaging, messaging)
                .withReceiveWait(Duration.ofSeconds(2)), inspector, () -> { });
    }

    @Override
    protected void seed(Seed seed) {
        messaging.publish("orders-parking", List.of(new OutgoingMessage(UUID.randomUUID().toString(), seed.body(),
                AttributeValue.textOf(seed.attributes()), seed.groupId(), "corr-1", seed.contentType(), null, seed.attributes())));
    }

    @Override
    protected List<Arrived> drainTarget() {
        return drain("orders").stream().map(m -> new Arrived(m.body(), m.typedProperties(), m.sessionId(), m.contentType())).toList();
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
