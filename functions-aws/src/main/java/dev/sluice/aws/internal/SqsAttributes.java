package dev.sluice.aws.internal;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.redrive.AttributeValue;
import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * SQS allows 10 message attributes per message, but a dead letter carries Sluice's 9 envelope attributes
 * beside the producer's own, and a redriven copy adds two more. When a message would carry more than 10,
 * the most important ones stay individual attributes (in {@link #PRIORITY} order, failure kind first so
 * the console shows it) and the rest travel, losslessly and with their data types, as one JSON attribute
 * {@value #PACKED}. Every reader in this module unpacks it before anything else looks at the attributes.
 */
public final class SqsAttributes {
    /** SQS's limit of message attributes per message. */
    public static final int MAX_ATTRIBUTES = 10;
    /** The attribute that carries the attributes that did not fit. */
    public static final String PACKED = "sluice-packed-attributes";

    /** Attributes kept individual first, in this order; the rest follow in their original order. */
    public static final List<String> PRIORITY = List.of(
            SluiceAttributes.FAILURE_KIND,
            // the claim-check marker: the Amazon SQS Extended Client Library reads it as a native attribute only
            ClaimCheck.SIZE_ATTRIBUTE,
            SluiceAttributes.ORIGINAL_MESSAGE_ID,
            SluiceAttributes.IDEMPOTENCY_KEY,
            SluiceAttributes.SIGNATURE,
            SluiceAttributes.KEY_ID,
            SluiceAttributes.CONTENT_ENCODING,
            SluiceAttributes.MESSAGE_TYPE,
            SluiceAttributes.SCHEMA_VERSION,
            SluiceAttributes.CORRELATION_ID,
            SluiceAttributes.REDRIVE_COUNT,
            SluiceAttributes.ATTEMPT);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SqsAttributes() {}

    /**
     * @param value a string
     * @return a {@code String} attribute
     */
    public static MessageAttributeValue string(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    /**
     * @param value a decimal number
     * @return a {@code Number} attribute
     */
    public static MessageAttributeValue number(String value) {
        return MessageAttributeValue.builder().dataType("Number").stringValue(value).build();
    }

    /**
     * Fits {@code attributes} into SQS's limit.
     *
     * @param attributes attributes in their preferred order
     * @return at most {@value #MAX_ATTRIBUTES} attributes; the same map when it already fits
     */
    public static Map<String, MessageAttributeValue> pack(Map<String, MessageAttributeValue> attributes) {
        Map<String, MessageAttributeValue> all = new LinkedHashMap<>(attributes);
        all.remove(PACKED);
        // SQS rejects empty values: such attributes travel packed
        List<String> order = new ArrayList<>();
        for (String name : PRIORITY) {
            if (all.containsKey(name)) {
                order.add(name);
            }
        }
        for (String name : all.keySet()) {
            if (!order.contains(name)) {
                order.add(name);
            }
        }
        boolean anyEmpty = all.values().stream().anyMatch(SqsAttributes::isEmpty);
        if (all.size() <= MAX_ATTRIBUTES && !anyEmpty) {
            return all;
        }
        Map<String, MessageAttributeValue> individual = new LinkedHashMap<>();
        ObjectNode packed = MAPPER.createObjectNode();
        for (String name : order) {
            MessageAttributeValue value = all.get(name);
            if (individual.size() < MAX_ATTRIBUTES - 1 && !isEmpty(value)) {
                individual.put(name, value);
            } else {
                ObjectNode node = packed.putObject(name);
                node.put("DataType", value.dataType());
                if (value.binaryValue() != null) {
                    node.put("BinaryValue", Base64.getEncoder().encodeToString(value.binaryValue().asByteArray()));
                } else {
                    node.put("StringValue", value.stringValue() == null ? "" : value.stringValue());
                }
            }
        }
        try {
            individual.put(PACKED, string(MAPPER.writeValueAsString(packed)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write packed attributes", e);
        }
        return individual;
    }

    /**
     * Restores packed attributes; a corrupt {@value #PACKED} value is kept as it is.
     *
     * @param attributes attributes as received
     * @return the attributes with {@value #PACKED} expanded; individual attributes win over packed ones
     */
    public static Map<String, MessageAttributeValue> unpack(Map<String, MessageAttributeValue> attributes) {
        MessageAttributeValue packedValue = attributes.get(PACKED);
        if (packedValue == null || packedValue.stringValue() == null) {
            return attributes;
        }
        Map<String, MessageAttributeValue> result = new LinkedHashMap<>(attributes);
        result.remove(PACKED);
        try {
            JsonNode packed = MAPPER.readTree(packedValue.stringValue());
            for (Map.Entry<String, JsonNode> entry : packed.properties()) {
                JsonNode node = entry.getValue();
                String type = node.path("DataType").asText("String");
                MessageAttributeValue value = node.has("BinaryValue")
                        ? MessageAttributeValue.builder().dataType(type)
                                .binaryValue(SdkBytes.fromByteArray(Base64.getDecoder().decode(node.get("BinaryValue").asText())))
                                .build()
                        : MessageAttributeValue.builder().dataType(type).stringValue(node.path("StringValue").asText()).build();
                result.putIfAbsent(entry.getKey(), value);
            }
            return result;
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return attributes;
        }
    }

    /**
     * @param attributes typed attributes
     * @return the text of every {@code String} and {@code Number} attribute (binary ones are left out:
     *     the pipeline works on text attributes)
     */
    public static Map<String, String> toText(Map<String, MessageAttributeValue> attributes) {
        Map<String, String> text = new LinkedHashMap<>();
        attributes.forEach((name, value) -> {
            if (value.stringValue() != null) {
                text.put(name, value.stringValue());
            }
        });
        return text;
    }

    /**
     * @param attributes the attributes of a Lambda event record (may be null)
     * @return them as SDK values, unpacked
     */
    public static Map<String, MessageAttributeValue> fromEvent(Map<String, SQSEvent.MessageAttribute> attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return Map.of();
        }
        Map<String, MessageAttributeValue> typed = new LinkedHashMap<>();
        attributes.forEach((name, attribute) -> {
            if (name == null || attribute == null) {
                return;
            }
            String type = attribute.getDataType() == null ? "String" : attribute.getDataType();
            ByteBuffer binary = attribute.getBinaryValue();
            if (attribute.getStringValue() != null) {
                typed.put(name, MessageAttributeValue.builder().dataType(type).stringValue(attribute.getStringValue()).build());
            } else if (binary != null) {
                typed.put(name, MessageAttributeValue.builder().dataType(type)
                        .binaryValue(SdkBytes.fromByteBuffer(binary.duplicate())).build());
            }
        });
        return unpack(typed);
    }

    /**
     * @param attributes SQS attributes, unpacked
     * @return them as the core's typed attributes, data types kept
     */
    public static Map<String, AttributeValue> toCore(Map<String, MessageAttributeValue> attributes) {
        Map<String, AttributeValue> typed = new LinkedHashMap<>();
        attributes.forEach((name, value) -> {
            String type = value.dataType() == null ? AttributeValue.STRING : value.dataType();
            if (value.binaryValue() != null) {
                typed.put(name, AttributeValue.binary(type, value.binaryValue().asByteArray()));
            } else if (value.stringValue() != null) {
                typed.put(name, AttributeValue.text(type, value.stringValue()));
            }
        });
        return typed;
    }

    /**
     * @param attributes the core's typed attributes
     * @return them as SQS attributes (not yet packed), data types kept
     */
    public static Map<String, MessageAttributeValue> fromCore(Map<String, AttributeValue> attributes) {
        Map<String, MessageAttributeValue> typed = new LinkedHashMap<>();
        attributes.forEach((name, value) -> {
            MessageAttributeValue.Builder b = MessageAttributeValue.builder().dataType(value.dataType());
            byte[] bytes = value.binary();
            typed.put(name, bytes != null ? b.binaryValue(SdkBytes.fromByteArray(bytes)).build() : b.stringValue(value.text()).build());
        });
        return typed;
    }

    private static boolean isEmpty(MessageAttributeValue value) {
        return value.binaryValue() == null && (value.stringValue() == null || value.stringValue().isEmpty());
    }
}
