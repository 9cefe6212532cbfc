package dev.sluice.azure.internal;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.ReceivedMessage;
import dev.sluice.core.redrive.AttributeValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
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
        message.typedProperties().forEach((name, value) -> sdk.getApplicationProperties().put(name, toProperty(value)));
        message.scheduled().ifPresent(at -> sdk.setScheduledEnqueueTime(OffsetDateTime.ofInstant(at, ZoneOffset.UTC)));
        return sdk;
    }

    /**
     * @param sdk a received SDK message
     * @return it as a {@link ReceivedMessage}: properties as text and typed, the broker's system properties kept
     */
    public static ReceivedMessage fromSdk(ServiceBusReceivedMessage sdk) {
        OffsetDateTime enqueued = sdk.getEnqueuedTime();
        Map<String, AttributeValue> typed = new LinkedHashMap<>();
        sdk.getApplicationProperties().forEach((key, value) -> {
            if (key != null && value != null) {
                typed.put(key, typedProperty(value));
            }
        });
        Map<String, String> system = new LinkedHashMap<>();
        system.put("SequenceNumber", Long.toString(sdk.getSequenceNumber()));
        system.put("EnqueuedSequenceNumber", Long.toString(sdk.getEnqueuedSequenceNumber()));
        system.put("DeliveryCount", Long.toString(sdk.getDeliveryCount()));
        putIfPresent(system, "EnqueuedTimeUtc", enqueued == null ? null : enqueued.toInstant());
        putIfPresent(system, "ScheduledEnqueueTimeUtc", sdk.getScheduledEnqueueTime() == null ? null
                : sdk.getScheduledEnqueueTime().toInstant());
        putIfPresent(system, "Subject", sdk.getSubject());
        putIfPresent(system, "To", sdk.getTo());
        putIfPresent(system, "ReplyTo", sdk.getReplyTo());
        putIfPresent(system, "ReplyToSessionId", sdk.getReplyToSessionId());
        putIfPresent(system, "PartitionKey", sdk.getPartitionKey());
        putIfPresent(system, "TimeToLive", sdk.getTimeToLive());
        putIfPresent(system, "DeadLetterSource", sdk.getDeadLetterSource());
        return new ReceivedMessage(
                String.valueOf(sdk.getLockToken()),
                String.valueOf(sdk.getMessageId()),
                sdk.getBody() == null ? new byte[0] : sdk.getBody().toBytes(),
                AttributeValue.textOf(typed),
                sdk.getSessionId(),
                sdk.getCorrelationId(),
                sdk.getContentType(),
                enqueued == null ? Instant.EPOCH : enqueued.toInstant(),
                (int) sdk.getDeliveryCount(),
                typed,
                system);
    }

    private static void putIfPresent(Map<String, String> system, String name, @Nullable Object value) {
        if (value != null) {
            system.put(name, value.toString());
        }
    }

    /**
     * The data type (see {@link AttributeValue}) of an application property value as the SDK gives it: a number is
     * {@code Number.<java type>}, a boolean, date, UUID or character {@code String.<kind>}, bytes {@code Binary}.
     *
     * @param value a property value
     * @return it typed, its text as {@link #asText} renders it
     */
    public static AttributeValue typedProperty(Object value) {
        String type = switch (value) {
            case byte[] bytes -> null;
            case Long l -> "Number.long";
            case Integer i -> "Number.int";
            case Short sh -> "Number.short";
            case Byte b -> "Number.byte";
            case Double d -> "Number.double";
            case Float f -> "Number.float";
            case BigDecimal dec -> "Number.decimal";
            case Boolean b -> "String.boolean";
            case OffsetDateTime t -> "String.timestamp";
            case Date d -> "String.timestamp";
            case Instant i -> "String.timestamp";
            case UUID u -> "String.uuid";
            case Character c -> "String.char";
            default -> AttributeValue.STRING;
        };
        return type == null ? AttributeValue.binary(AttributeValue.BINARY, (byte[]) value) : AttributeValue.text(type, asText(value));
    }

    /**
     * The SDK value for a typed property, the inverse of {@link #typedProperty}; a text its type cannot parse (or a
     * type from elsewhere, e.g. SQS's {@code Number}) is sent as the closest value that keeps it: a number as
     * {@code Long} or {@code Double} when it is one, else the string.
     *
     * @param value a typed property
     * @return the value to put into the SDK message's application properties
     */
    public static Object toProperty(AttributeValue value) {
        byte[] bytes = value.binary();
        if (bytes != null) {
            return bytes;
        }
        String text = value.text();
        try {
            return switch (value.dataType()) {
                case "Number.long" -> Long.parseLong(text);
                case "Number.int" -> Integer.parseInt(text);
                case "Number.short" -> Short.parseShort(text);
                case "Number.byte" -> Byte.parseByte(text);
                case "Number.double" -> Double.parseDouble(text);
                case "Number.float" -> Float.parseFloat(text);
                case "Number.decimal" -> new BigDecimal(text);
                case "String.boolean" -> text.equals("true") || text.equals("false") ? Boolean.parseBoolean(text) : text;
                case "String.timestamp" -> OffsetDateTime.ofInstant(Instant.parse(text), ZoneOffset.UTC);
                case "String.uuid" -> UUID.fromString(text);
                case "String.char" -> text.length() == 1 ? (Object) text.charAt(0) : text;
                default -> AttributeValue.baseType(value.dataType()).equals(AttributeValue.NUMBER) ? number(text) : text;
            };
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            return text;
        }
    }

    private static Object number(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            double d = Double.parseDouble(text);
            return Double.isFinite(d) ? d : text;
        }
    }

    /**
     * Application property values come as strings, numbers, booleans or dates (from the SDK) and as
     * JSON-decoded values (from the Functions host, where every number is a double): this renders them as
     * the text a producer wrote, e.g. {@code 2} rather than {@code 2.0}.
     *
     * @param properties application properties
     * @return the same, as text; null keys and values dropped, and binary ones (which have no text)
     */
    public static Map<String, String> propertiesAsText(@Nullable Map<String, ?> properties) {
        Map<String, String> text = new LinkedHashMap<>();
        if (properties == null) {
            return text;
        }
        properties.forEach((key, value) -> {
            if (key != null && value != null && !(value instanceof byte[])) {
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
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        return value.toString();
    }
}
