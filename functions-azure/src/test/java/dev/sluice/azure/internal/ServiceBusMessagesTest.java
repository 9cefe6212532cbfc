package dev.sluice.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.messaging.servicebus.ReceivedMessageFactory;
import com.azure.messaging.servicebus.ServiceBusMessage;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The SDK-backed publisher's mapping, checked without a broker. */
class ServiceBusMessagesTest {
    @Test
    void retryCopy_mapsToAnSdkMessage_withPropertiesSessionAndSchedule() {
        // GIVEN a retry copy due in 30 s
        Instant due = Instant.parse("2030-01-01T00:00:30Z");
        OutgoingMessage copy = new OutgoingMessage("copy-1", "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8),
                Map.of("sluice-attempt", "2", "sluice-original-message-id", "m-1"), "session-7", "corr-1", "application/json", due);

        // WHEN mapped for the SDK
        ServiceBusMessage sdk = ServiceBusMessages.toSdk(copy);

        // THEN body, ids, session and properties are kept and the enqueue is scheduled
        assertThat(sdk.getBody().toString()).isEqualTo("{\"orderId\":\"o-1\"}");
        assertThat(sdk.getMessageId()).isEqualTo("copy-1");
        assertThat(sdk.getSessionId()).isEqualTo("session-7");
        assertThat(sdk.getCorrelationId()).isEqualTo("corr-1");
        assertThat(sdk.getContentType()).isEqualTo("application/json");
        assertThat(sdk.getApplicationProperties())
                .containsEntry("sluice-attempt", "2").containsEntry("sluice-original-message-id", "m-1");
        assertThat(sdk.getScheduledEnqueueTime()).isEqualTo(OffsetDateTime.ofInstant(due, ZoneOffset.UTC));
    }

    @Test
    void immediateCopyWithoutSession_hasNoScheduleAndNoSession() {
        OutgoingMessage parked = new OutgoingMessage("p-1", new byte[] {1, 2}, Map.of("sluice-failure-kind", "POISON"),
                null, null, null, null);

        ServiceBusMessage sdk = ServiceBusMessages.toSdk(parked);

        assertThat(sdk.getScheduledEnqueueTime()).isNull();
        assertThat(sdk.getSessionId()).isNull();
        assertThat(sdk.getBody().toBytes()).containsExactly(1, 2);
    }

    @Test
    void receivedDeadLetter_mapsToText_withDeadLetterReasonKept() {
        // GIVEN a message received from $DeadLetterQueue, with typed application properties
        UUID lock = UUID.randomUUID();
        OffsetDateTime enqueued = OffsetDateTime.parse("2030-01-01T00:00:00Z");
        var sdk = ReceivedMessageFactory.received("body".getBytes(StandardCharsets.UTF_8), "m-9", "s-1",
                Map.of("DeadLetterReason", "MaxDeliveryCountExceeded", "count", 3, "ratio", 2.0, "at", enqueued),
                enqueued, 10, lock);

        // WHEN mapped
        ReceivedMessage received = ServiceBusMessages.fromSdk(sdk);

        // THEN ids, session, lock, counts and properties as text come across
        assertThat(received.lockToken()).isEqualTo(lock.toString());
        assertThat(received.messageId()).isEqualTo("m-9");
        assertThat(received.sessionId()).isEqualTo("s-1");
        assertThat(received.deliveryCount()).isEqualTo(10);
        assertThat(received.enqueuedAt()).isEqualTo(enqueued.toInstant());
        assertThat(received.applicationProperties()).containsEntry("DeadLetterReason", "MaxDeliveryCountExceeded")
                .containsEntry("count", "3").containsEntry("ratio", "2").containsEntry("at", "2030-01-01T00:00:00Z");
    }
}
