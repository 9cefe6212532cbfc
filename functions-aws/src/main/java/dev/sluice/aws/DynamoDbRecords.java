package dev.sluice.aws;

import dev.sluice.core.spi.RecordState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The DynamoDB item layout of an idempotency record, both ways: item → {@link RecordState} for the state
 * machine, {@link RecordState} → item for a write, and the "unchanged since read" condition a replacing write
 * carries. Attribute names are those of Powertools for AWS Lambda, plus two Sluice-only attributes Powertools
 * ignores.
 */
final class DynamoDbRecords {
    static final String ID = DynamoDbIdempotencyStore.ID;
    static final String EXPIRATION = DynamoDbIdempotencyStore.EXPIRATION;
    static final String IN_PROGRESS_EXPIRATION = DynamoDbIdempotencyStore.IN_PROGRESS_EXPIRATION;
    static final String STATUS = DynamoDbIdempotencyStore.STATUS;
    static final String VALIDATION = DynamoDbIdempotencyStore.VALIDATION;
    static final String FAILURES = DynamoDbIdempotencyStore.FAILURES;
    static final String FIRST_FAILURE_AT = DynamoDbIdempotencyStore.FIRST_FAILURE_AT;
    static final String INPROGRESS = DynamoDbIdempotencyStore.INPROGRESS;
    static final String COMPLETED = DynamoDbIdempotencyStore.COMPLETED;

    /** Placeholder names for every attribute a condition or update may mention. */
    static final Map<String, String> NAMES = Map.of("#id", ID, "#expiration", EXPIRATION, "#lease", IN_PROGRESS_EXPIRATION,
            "#status", STATUS, "#validation", VALIDATION, "#failures", FAILURES, "#first", FIRST_FAILURE_AT);

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    // the attributes whose values identify a record's version for a replacing write
    private static final List<String> VERSION = List.of("#status", "#expiration", "#lease", "#validation", "#failures", "#first");

    private DynamoDbRecords() {}

    /**
     * @param item a stored item (Sluice's or Powertools')
     * @return the record as the state machine sees it, or null for no item
     */
    static @Nullable RecordState state(@Nullable Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return null;
        }
        String validation = text(item, VALIDATION);
        // only a Sluice fingerprint is comparable; Powertools' optional validation hash is not
        String fingerprint = validation != null && SHA256_HEX.matcher(validation).matches() ? validation : null;
        RecordState.Status status = COMPLETED.equals(text(item, STATUS)) ? RecordState.Status.COMPLETED
                : RecordState.Status.IN_PROGRESS;
        Long lease = number(item, IN_PROGRESS_EXPIRATION);
        Long expiration = number(item, EXPIRATION);
        Long failures = number(item, FAILURES);
        Long firstFailure = number(item, FIRST_FAILURE_AT);
        return new RecordState(fingerprint, status, lease == null ? null : Instant.ofEpochMilli(lease),
                // a record without a readable expiry never expires by Sluice's condition (the table's TTL may delete it)
                expiration == null ? Instant.MAX : Instant.ofEpochSecond(expiration),
                failures == null ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, failures)),
                firstFailure == null ? null : Instant.ofEpochMilli(firstFailure));
    }

    /**
     * @param id the record id
     * @param record the record to write (in progress)
     * @return its item; the failure attributes only when it has failures
     */
    static Map<String, AttributeValue> item(String id, RecordState record) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, s(id));
        item.put(STATUS, s(record.status() == RecordState.Status.COMPLETED ? COMPLETED : INPROGRESS));
        item.put(EXPIRATION, n(record.expiresAt().getEpochSecond()));
        if (record.leaseExpiresAt() != null) {
            item.put(IN_PROGRESS_EXPIRATION, n(record.leaseExpiresAt().toEpochMilli()));
        }
        if (record.fingerprint() != null) {
            item.put(VALIDATION, s(record.fingerprint()));
        }
        if (record.failures() > 0 && record.firstFailureAt() != null) {
            item.put(FAILURES, n(record.failures()));
            item.put(FIRST_FAILURE_AT, n(record.firstFailureAt().toEpochMilli()));
        }
        return item;
    }

    /**
     * The condition that {@code old} is still the stored item, to append to {@code values}.
     *
     * @param old the item the decision was made on (empty for none)
     * @param values where the condition's values go
     * @return a condition expression over {@link #NAMES}
     */
    static String unchanged(Map<String, AttributeValue> old, Map<String, AttributeValue> values) {
        if (old.isEmpty()) {
            return "attribute_not_exists(#id)";
        }
        List<String> parts = new ArrayList<>();
        for (String name : VERSION) {
            AttributeValue value = old.get(NAMES.get(name));
            if (value == null) {
                parts.add("attribute_not_exists(" + name + ")");
            } else {
                String placeholder = ":old_" + name.substring(1);
                values.put(placeholder, value);
                parts.add(name + " = " + placeholder);
            }
        }
        return String.join(" AND ", parts);
    }

    /**
     * @param expressions the expressions of one request
     * @return the placeholder names they use (DynamoDB refuses unused ones)
     */
    static Map<String, String> names(String... expressions) {
        Map<String, String> used = new HashMap<>();
        NAMES.forEach((placeholder, name) -> {
            for (String expression : expressions) {
                if (expression.contains(placeholder)) {
                    used.put(placeholder, name);
                }
            }
        });
        return used;
    }

    static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    static AttributeValue n(long value) {
        return AttributeValue.builder().n(Long.toString(value)).build();
    }

    private static @Nullable String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static @Nullable Long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || value.n() == null) {
            return null;
        }
        try {
            return new java.math.BigDecimal(value.n()).longValue();
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
