package dev.sluice.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.QueueReader;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.azure.ServiceBusMessaging;
import dev.sluice.azure.ServiceBusRedrive;
import dev.sluice.azure.testing.ServiceBusEmulator;
import dev.sluice.core.redrive.RedriveEngine;
import dev.sluice.core.redrive.RedriveFilter;
import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveReport;
import dev.sluice.core.redrive.RedriveRequest;
import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK-backed {@link ServiceBusMessaging} and {@link ServiceBusRedrive} on the Service Bus emulator
 * (Testcontainers); skipped without Docker.
 */
class ServiceBusEmulatorIT {
    private static ServiceBusEmulator emulator;
    private static ServiceBusMessaging messaging;

    @BeforeAll
    static void startEmulator() {
        emulator = ServiceBusEmulator.start(ServiceBusEmulator.queue("orders", 2, false, true),
                ServiceBusEmulator.queue("orders-parking", 10, false, false));
        messaging = emulator.messaging();
    }

    @AfterAll
    static void stopEmulator() {
        if (emulator != null) {
            emulator.close();
        }
    }

    private static List<ReceivedMessage> receiveAll(String path, int expected) {
        List<ReceivedMessage> all = new ArrayList<>();
        for (int round = 0; round < 20 && all.size() < expected; round++) {
            all.addAll(messaging.receive(path, expected - all.size(), Duration.ofSeconds(3)));
        }
        return all;
    }

    @Test
    void publishedCopies_arriveWithTheirProperties_andScheduledOnesArriveToo() {
        // GIVEN an immediate copy and one scheduled two seconds ahead
        OutgoingMessage now = new OutgoingMessage(UUID.randomUUID().toString(), "a".getBytes(StandardCharsets.UTF_8),
                Map.of(SluiceAttributes.ATTEMPT, "1", SluiceAttributes.ORIGINAL_MESSAGE_ID, "m-1"), null, "corr-1", "text/plain", null);
        OutgoingMessage later = new OutgoingMessage(UUID.randomUUID().toString(), "b".getBytes(StandardCharsets.UTF_8),
                Map.of(SluiceAttributes.ATTEMPT, "2"), null, null, null, Instant.now().plusSeconds(2));

        // WHEN both are published and the queue is read
        messaging.publish("orders", List.of(now, later));
        List<ReceivedMessage> received = receiveAll("orders", 2);
        received.forEach(m -> messaging.complete("orders", m));

        // THEN both arrived with body, correlation id, content type and properties intact
        assertThat(received).extracting(m -> new String(m.body(), StandardCharsets.UTF_8)).containsExactlyInAnyOrder("a", "b");
        assertThat(received).filteredOn(m -> m.messageId().equals(now.messageId())).singleElement().satisfies(m -> {
            assertThat(m.correlationId()).isEqualTo("corr-1");
            assertThat(m.contentType()).isEqualTo("text/plain");
            assertThat(m.applicationProperties()).containsEntry(SluiceAttributes.ATTEMPT, "1")
                    .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "m-1");
        });
    }

    @Test
    void redriveFromTheDeadLetterQueue_sendsCopiesBack_withoutServiceBusDeadLetterProperties() {
        // GIVEN a message Service Bus dead-lettered after maxDeliveryCount abandons
        OutgoingMessage message = new OutgoingMessage(UUID.randomUUID().toString(), "c".getBytes(StandardCharsets.UTF_8),
                Map.of("tenant", "acme"), null, null, null, null);
        messaging.publish("orders", List.of(message));
        for (int i = 0; i < 2; i++) {
            receiveAll("orders", 1).forEach(m -> messaging.abandon("orders", m));
        }

        // WHEN it is redriven
        ServiceBusRedrive redrive = ServiceBusRedrive.of(messaging, messaging).withReceiveWait(Duration.ofSeconds(3));
        RedriveReport report = new RedriveEngine(Clock.systemUTC(), d -> { }, r -> { }).run(
                RedriveRequest.builder().filter(RedriveFilter.all()).operator("it").confirmed(true).build(),
                redrive.deadLetterQueue("orders"), redrive.queue("orders"), RedriveListener.NONE);

        // THEN its copy is back on the queue, keeping its id and properties, without the dead-letter reason
        assertThat(report.moved()).isEqualTo(1);
        List<ReceivedMessage> back = receiveAll("orders", 1);
        back.forEach(m -> messaging.complete("orders", m));
        assertThat(back).singleElement().satisfies(m -> assertThat(m.applicationProperties())
                .containsEntry("tenant", "acme")
                .containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, message.messageId())
                .containsEntry(SluiceAttributes.REDRIVE_COUNT, "1")
                .doesNotContainKey("DeadLetterReason"));
        assertThat(messaging.receive(QueueReader.deadLetterQueueOf("orders"), 1, Duration.ofSeconds(3))).isEmpty();
    }
}
