package dev.sluice.azure.internal;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ReceivedMessage;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Maps Sluice's messages to and from the Service Bus SDK's. */
public final class ServiceBusMessages {
    private ServiceBusMessages() {}

    /**
     * @param message a message to send
     * @return the SDK message: body unchanged, properties as strings, session and correlation kept,
     *     scheduled enqueue time set when the copy is delayed
     */
    public static ServiceBusMessage toSdk(OutgoingMessage message) {
        ServiceBusMessage sdk = new ServiceBusMessage(BinaryData.fromBytes(message.body()));
        sdk.setMessageId(message.messageId());
        if (message.sessionId() != null) {
            sdk.setSessionId(message.sessionId());
        }
        if (message.correlationId() != null) {
            sdk.setCorrelationId(message.correlationId());
        }
        if (message.contentType() != null) {
            sdk.setContentType(message.contentType());
        }
        sdk.getApplicationProperties().putAll(message.applicationProperties());
        message.scheduled().ifPresent(at -> sdk.setScheduledEnqueueTime(OffsetDateTime.ofInstant(at, ZoneOffset.UTC)));
        return sdk;
    }

    /**
     * @param sdk a received SDK message
     * @return it as a {@link ReceivedMessage}, properties as text
     */
    public static ReceivedMessage fromSdk(ServiceBusReceivedMessage sdk) {
        OffsetDateTime enqueued = sdk.getEnqueuedTime();
        return new ReceivedMessage(
                String.valueOf(sdk.getLockToken()),
                String.valueOf(sdk.getMessageId()),
                sdk.getBody() == null ? new byte[0] : sdk.getBody().toBytes(),
                propertiesAsText(sdk.getApplicationProperties()),
                sdk.getSessionId(),
                sdk.getCorrelationId(),
                sdk.getContentType(),
                enqueued == null ? Instant.EPOCH : enqueued.toInstant(),
                (int) sdk.getDeliveryCount());
    }

    /**
     * Application property values come as strings, numbers, booleans or dates (from the SDK) and as
     * JSON-decoded values (from the Functions host, where every number is a double): this renders them as
     * the text a producer wrote, e.g. {@code 2} rather than {@code 2.0}.
     *
     * @param properties application properties
     * @return the same, as text; null keys and values dropped
     */
    public static Map<String, String> propertiesAsText(@Nullable Map<String, ?> properties) {
        Map<String, String> text = new LinkedHashMap<>();
        if (properties == null) {
            return text;
        }
        properties.forEach((key, value) -> {
            if (key != null && value != null) {
                text.put(key, asText(value));
            }
        });
        return text;
    }

    /** @param value a property value @return its text */
    public static String asText(Object value) {
        if (value instanceof Double d && !d.isInfinite() && !d.isNaN() && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        if (value instanceof Float f && f == Math.rint(f) && Math.abs(f) < 1e7) {
            return Long.toString(f.longValue());
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant().toString();
        }
        return value.toString();
    }
}
