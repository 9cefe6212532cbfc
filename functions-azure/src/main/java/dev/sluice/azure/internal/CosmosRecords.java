package dev.sluice.azure.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.security.Hashes;
import dev.sluice.core.spi.RecordState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The Cosmos DB shape of an idempotency record: {@code id}, {@code pk}, {@code status},
 * {@code fingerprint}, {@code leaseExpiresAt} and {@code expiresAt} in epoch milliseconds, the item
 * {@code ttl} in seconds so Cosmos deletes the record after it expires, and for a record released after failed
 * executions {@code failures} (their count) and {@code firstFailureAt} (epoch milliseconds).
 */
public final class CosmosRecords {
    /** Prefix of record ids, so records can share a container with the handler's own items. */
    public static final String ID_PREFIX = "sluice:";
    /** Keys longer than this, or with characters Cosmos ids forbid, are hashed. */
    static final int MAX_PLAIN_KEY = 200;
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9._:@=+\\-]+");
    private static final int MAX_STORED_KEY = 512;

    /** Record status. */
    public enum Status { IN_PROGRESS, COMPLETED }

    private CosmosRecords() {}

    /**
     * Maps an idempotency key to a value usable as a Cosmos id and partition key: the key itself when it
     * is short and made of safe characters, else {@code sha256:<hex>} of it (deterministic, ≤ 255 chars).
     *
     * @param key the idempotency key
     * @return the safe form
     */
    public static String safeKey(String key) {
        boolean plain = key.length() <= MAX_PLAIN_KEY && SAFE_KEY.matcher(key).matches() && !key.startsWith("sha256:");
        return plain ? key : "sha256:" + Hashes.sha256Hex(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** @param key the idempotency key @return the record's id */
    public static String recordId(String key) {
        return ID_PREFIX + safeKey(key);
    }

    /**
     * @param key the idempotency key
     * @param partitionKey the record's partition key value
     * @param status status
     * @param fingerprint payload fingerprint
     * @param leaseExpiresAt lease expiry
     * @param expiresAt record expiry
     * @param writtenAt when the record is written, for the item ttl (an earlier time only makes it live longer)
     * @return the item
     */
    public static ObjectNode record(String key, String partitionKey, Status status, String fingerprint, Instant leaseExpiresAt,
                                    Instant expiresAt, Instant writtenAt) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", recordId(key));
        node.put("pk", partitionKey);
        node.put("type", "sluice-idempotency");
        node.put("key", key.length() <= MAX_STORED_KEY ? key : key.substring(0, MAX_STORED_KEY));
        node.put("status", status.name());
        node.put("fingerprint", fingerprint);
        node.put("leaseExpiresAt", leaseExpiresAt.toEpochMilli());
        node.put("expiresAt", expiresAt.toEpochMilli());
        node.put("ttl", ttlSeconds(writtenAt, expiresAt));
        return node;
    }

    /**
     * @param key the idempotency key
     * @param partitionKey the record's partition key value
     * @param state the record as the state machine wrote it
     * @param writtenAt when the record is written, for the item ttl
     * @return the item, with the failure fields when it has failures
     */
    public static ObjectNode record(String key, String partitionKey, RecordState state, Instant writtenAt) {
        Status status = state.status() == RecordState.Status.COMPLETED ? Status.COMPLETED : Status.IN_PROGRESS;
        ObjectNode node = record(key, partitionKey, status, Objects.requireNonNullElse(state.fingerprint(), ""),
                Objects.requireNonNullElse(state.leaseExpiresAt(), state.expiresAt()), state.expiresAt(), writtenAt);
        if (state.firstFailureAt() != null) {
            node.put("failures", state.failures());
            node.put("firstFailureAt", state.firstFailureAt().toEpochMilli());
        }
        return node;
    }

    /**
     * @param node a stored record
     * @return the record as the state machine sees it (an unreadable status reads as a lapsed lease)
     */
    public static RecordState state(ObjectNode node) {
        Status status = status(node);
        String fingerprint = node.path("fingerprint").asText("");
        JsonNode first = node.get("firstFailureAt");
        return new RecordState(fingerprint.isEmpty() ? null : fingerprint,
                status == Status.COMPLETED ? RecordState.Status.COMPLETED : RecordState.Status.IN_PROGRESS,
                status == null ? Instant.EPOCH : instant(node, "leaseExpiresAt"), instant(node, "expiresAt"),
                node.path("failures").asInt(0), first == null || !first.canConvertToLong() ? null : Instant.ofEpochMilli(first.asLong()));
    }

    /**
     * @param writtenAt write time
     * @param expiresAt expiry
     * @return whole seconds from write to expiry, rounded up, at least 1 (Cosmos counts ttl from the write)
     */
    public static long ttlSeconds(Instant writtenAt, Instant expiresAt) {
        Duration left = Duration.between(writtenAt, expiresAt);
        long seconds = left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /** @param node a record @return its status, or null when unreadable */
    public static @Nullable Status status(ObjectNode node) {
        try {
            return Status.valueOf(node.path("status").asText(""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** @param node a record @param field an epoch-millisecond field @return the instant (epoch 0 when absent) */
    public static Instant instant(ObjectNode node, String field) {
        return Instant.ofEpochMilli(node.path(field).asLong(0));
    }

    /**
     * The lease token carries the record's ETag, when the lease began and when the record expires, so
     * {@code complete} can set an item ttl and {@code release} can rewrite the record without reading a clock
     * or the record.
     *
     * @param etag the record's ETag
     * @param began when the lease began
     * @param expiresAt when the record written with the lease expires
     * @return the token
     */
    public static String token(String etag, Instant began, Instant expiresAt) {
        return etag + "|" + began.toEpochMilli() + "|" + expiresAt.toEpochMilli();
    }

    /** @param token a lease token @return its ETag */
    public static String etagOf(String token) {
        int bar = token.lastIndexOf('|');
        int before = bar < 0 ? -1 : token.lastIndexOf('|', bar - 1);
        return before < 0 ? token : token.substring(0, before);
    }

    /** @param token a lease token @return when its lease began (epoch 0 when unreadable) */
    public static Instant beganOf(String token) {
        return part(token, 1);
    }

    /** @param token a lease token @return when the record written with it expires (epoch 0 when unreadable) */
    public static Instant expiresOf(String token) {
        return part(token, 0);
    }

    // the fromEnd-th '|'-separated number, counted from the end
    private static Instant part(String token, int fromEnd) {
        String[] parts = token.split("\\|", -1);
        try {
            return parts.length < 3 ? Instant.EPOCH : Instant.ofEpochMilli(Long.parseLong(parts[parts.length - 1 - fromEnd]));
        } catch (NumberFormatException e) {
            return Instant.EPOCH;
        }
    }
}
