package dev.sluice.core.claimcheck;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.codec.DecodingException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.redrive.SluiceAttributes;
import java.io.IOException;
import java.util.Map;

/**
 * The wire form of a claim-check, the one place it is written and read. The body of a claim-checked message is the
 * pointer in the Amazon SQS Extended Client Library's JSON form,
 * {@code ["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"b","s3Key":"k"}]} (Blob Storage
 * uses the same shape with its own type and field names), and the message carries {@value #SIZE_ATTRIBUTE}, the
 * payload's size, which is how the library and Sluice recognise a pointer. A Sluice sender also writes the pointer
 * into {@link SluiceAttributes#CLAIM_CHECK}, which the signature covers together with the stored payload.
 */
public final class ClaimCheck {
    /** The attribute that marks a claim-checked message and holds the payload's size (the library's name). */
    public static final String SIZE_ATTRIBUTE = "ExtendedPayloadSize";
    /** The same attribute as the library's first versions named it; read, never written. */
    public static final String LEGACY_SIZE_ATTRIBUTE = "SQSLargePayloadSize";

    private static final ObjectMapper MAPPER = JsonCodec.defaultMapper();
    private static final String S3_TYPE = "software.amazon.payloadoffloading.PayloadS3Pointer";
    private static final String BLOB_TYPE = "dev.sluice.claimcheck.BlobPayloadPointer";

    private ClaimCheck() {}

    /**
     * @param attributes a received message's attributes
     * @return whether its body is a pointer to a stored payload
     */
    public static boolean isPointer(Map<String, String> attributes) {
        return attributes.containsKey(SIZE_ATTRIBUTE) || attributes.containsKey(LEGACY_SIZE_ATTRIBUTE)
                || attributes.containsKey(SluiceAttributes.CLAIM_CHECK);
    }

    /**
     * @param pointer where a payload is
     * @return the body that points to it
     */
    public static String format(PayloadPointer pointer) {
        ArrayNode node = MAPPER.createArrayNode();
        ObjectNode fields = MAPPER.createObjectNode();
        switch (pointer.store()) {
            case S3 -> {
                node.add(S3_TYPE);
                fields.put("s3BucketName", pointer.container()).put("s3Key", pointer.key());
            }
            case BLOB -> {
                node.add(BLOB_TYPE);
                fields.put("containerName", pointer.container()).put("blobName", pointer.key());
            }
        }
        node.add(fields);
        return node.toString();
    }

    /**
     * @param body a claim-checked message's body
     * @return the pointer it holds
     * @throws DecodingException when the body is not a pointer Sluice reads
     */
    public static PayloadPointer parse(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new DecodingException("claim-check: the body is not a payload pointer (not JSON)");
        }
        if (node == null || !node.isArray() || node.size() != 2 || !node.get(0).isTextual() || !node.get(1).isObject()) {
            throw new DecodingException("claim-check: the body is not a payload pointer ([type, {fields}])");
        }
        String type = node.get(0).asText();
        JsonNode fields = node.get(1);
        return switch (type) {
            case S3_TYPE -> pointer(PayloadPointer.Store.S3, fields, "s3BucketName", "s3Key");
            case BLOB_TYPE -> pointer(PayloadPointer.Store.BLOB, fields, "containerName", "blobName");
            default -> throw new DecodingException("claim-check: unknown payload pointer type '" + type + "'");
        };
    }

    private static PayloadPointer pointer(PayloadPointer.Store store, JsonNode fields, String containerField,
                                          String keyField) {
        JsonNode container = fields.get(containerField);
        JsonNode key = fields.get(keyField);
        if (container == null || !container.isTextual() || container.asText().isBlank()
                || key == null || !key.isTextual() || key.asText().isBlank()) {
            throw new DecodingException("claim-check: the payload pointer needs " + containerField + " and " + keyField);
        }
        return new PayloadPointer(store, container.asText(), key.asText());
    }
}
