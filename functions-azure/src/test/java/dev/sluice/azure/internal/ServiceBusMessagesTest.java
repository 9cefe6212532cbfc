package dev.sluice.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.messaging.servicebus.ReceivedMessageFactory;
import com.azure.messaging.servicebus.ServiceBusMessage;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.core.redrive.AttributeValue;
import dev.sluice.core.redrive.DeadLetter;
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

    @Test
    void typedProperties_surviveReceiveThenRedriveThenSend_withTheirSdkTypes() {
        // GIVEN a dead letter whose properties use every type a producer can set
        OffsetDateTime at = OffsetDateTime.parse("2030-01-01T10:00:00Z");
        UUID uuid = UUID.fromString("6f1c2d3e-0000-4000-8000-000000000001");
        Map<String, Object> properties = new java.util.LinkedHashMap<>();
        properties.put("text", "acme");
        properties.put("long", 9_007_199_254_740_993L);
        properties.put("int", 7);
        properties.put("double", 2.5);
        properties.put("whole", 2.0);
        properties.put("flag", true);
        properties.put("at", at);
        properties.put("uuid", uuid);
        properties.put("bytes", new byte[] {0, 1, (byte) 0xff});
        properties.put("DeadLetterReason", "MaxDeliveryCountExceeded");
        var sdk = ReceivedMessageFactory.received(new byte[] {(byte) 0xff, 0}, "m-1", "s-1", properties, at, 10, UUID.randomUUID());

        // WHEN received, turned into a dead letter, and sent back as the redrive target sends it
        ReceivedMessage received = ServiceBusMessages.fromSdk(sdk);
        DeadLetter letter = received.toDeadLetter("h-1");
        OutgoingMessage copy = new OutgoingMessage("copy-1", letter.body(), letter.redriveAttributes(), letter.groupId(),
                letter.systemProperties().get(DeadLetter.CORRELATION_ID), letter.contentType(), null,
                letter.typed(letter.redriveAttributes()));
        ServiceBusMessage sent = ServiceBusMessages.toSdk(copy);

        // THEN every property has its SDK type again (binary included), as do body, session, correlation and content type
        assertThat(letter.typedAttributes().get("bytes").binary()).containsExactly(0, 1, 0xff);
        assertThat(letter.typedAttributes().get("long").dataType()).isEqualTo("Number.long");
        assertThat(letter.attributes()).as("text view has no bytes").doesNotContainKey("bytes").containsEntry("whole", "2");
        assertThat(letter.systemProperties()).containsEntry("DeliveryCount", "10").containsKey("SequenceNumber");
        Map<String, Object> out = sent.getApplicationProperties();
        assertThat(out.get("text")).isEqualTo("acme");
        assertThat(out.get("long")).isEqualTo(9_007_199_254_740_993L);
        assertThat(out.get("int")).isEqualTo(7);
        assertThat(out.get("double")).isEqualTo(2.5);
        assertThat(out.get("whole")).isEqualTo(2.0);
        assertThat(out.get("flag")).isEqualTo(true);
        assertThat(out.get("at")).isEqualTo(at);
        assertThat(out.get("uuid")).isEqualTo(uuid);
        assertThat((byte[]) out.get("bytes")).containsExactly(0, 1, 0xff);
        assertThat(sent.getBody().toBytes()).containsExactly(0xff, 0);
        assertThat(sent.getSessionId()).isEqualTo("s-1");
        assertThat(sent.getCorrelationId()).isEqualTo("corr-1");
        assertThat(sent.getContentType()).isEqualTo("application/json");
    }

    @Test
    void aTypeFromAnotherCloud_orTextItsTypeCannotParse_isSentAsTheClosestValue_neverLost() {
        assertThat(ServiceBusMessages.toProperty(AttributeValue.text("Number", "12"))).isEqualTo(12L);
        assertThat(ServiceBusMessages.toProperty(AttributeValue.text("Number", "12.5"))).isEqualTo(12.5);
        assertThat(ServiceBusMessages.toProperty(AttributeValue.text("Number.int", "not a number"))).isEqualTo("not a number");
        assertThat(ServiceBusMessages.toProperty(AttributeValue.text("String.json", "{}"))).isEqualTo("{}");
        assertThat(ServiceBusMessages.toProperty(AttributeValue.binary("Binary.png", new byte[] {9}))).isEqualTo(new byte[] {9});
    }
}
