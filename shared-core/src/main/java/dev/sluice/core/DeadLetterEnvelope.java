package dev.sluice.core;

import dev.sluice.core.internal.Texts;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The attributes a dead-lettered message carries beside its unchanged body (DESIGN section 6).
 *
 * @param failureKind why it was dead-lettered
 * @param errorType the exception type (or a Sluice reason type)
 * @param errorMessage the redacted error message, at most {@link #MAX_ERROR_MESSAGE_BYTES} UTF-8 bytes
 * @param errorFingerprint a hash of the error type and its top frames, to group equal failures
 * @param attempts attempts used
 * @param firstFailureAt the first failure
 * @param lastFailureAt the last failure
 * @param sourceQueue the queue it failed on
 * @param originalMessageId the message's stable id
 */
public record DeadLetterEnvelope(
        FailureKind failureKind,
        String errorType,
        String errorMessage,
        String errorFingerprint,
        int attempts,
        Instant firstFailureAt,
        Instant lastFailureAt,
        String sourceQueue,
        String originalMessageId) {

    /** The longest error message kept, in UTF-8 bytes. */
    public static final int MAX_ERROR_MESSAGE_BYTES = 1024;

    /** Validates, redacts and truncates. */
    public DeadLetterEnvelope {
        Objects.requireNonNull(failureKind, "failureKind");
        Objects.requireNonNull(errorType, "errorType");
        Objects.requireNonNull(errorFingerprint, "errorFingerprint");
        Objects.requireNonNull(firstFailureAt, "firstFailureAt");
        Objects.requireNonNull(lastFailureAt, "lastFailureAt");
        Objects.requireNonNull(sourceQueue, "sourceQueue");
        Objects.requireNonNull(originalMessageId, "originalMessageId");
        // cut before redacting too (cheap, bounded work), and again after: a secret cut at the first limit
        // lies beyond the second
        String bounded = Texts.truncateUtf8(Objects.requireNonNullElse(errorMessage, ""), 8 * MAX_ERROR_MESSAGE_BYTES);
        errorMessage = Texts.truncateUtf8(Redactor.standard().redact(bounded),
                MAX_ERROR_MESSAGE_BYTES);
    }

    /** @return the envelope as message attributes (names in {@link SluiceAttributes}) */
    public Map<String, String> toAttributes() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(SluiceAttributes.FAILURE_KIND, failureKind.name());
        attributes.put(SluiceAttributes.ERROR_TYPE, errorType);
        attributes.put(SluiceAttributes.ERROR_MESSAGE, errorMessage.isEmpty() ? "(none)" : errorMessage);
        attributes.put(SluiceAttributes.ERROR_FINGERPRINT, errorFingerprint);
        attributes.put(SluiceAttributes.ATTEMPTS, Integer.toString(attempts));
        attributes.put(SluiceAttributes.FIRST_FAILURE_AT, firstFailureAt.toString());
        attributes.put(SluiceAttributes.LAST_FAILURE_AT, lastFailureAt.toString());
        attributes.put(SluiceAttributes.SOURCE_QUEUE, sourceQueue);
        attributes.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, originalMessageId);
        return attributes;
    }

    /**
     * Reads an envelope back from a dead letter's attributes.
     *
     * @param attributes the dead letter's attributes
     * @return the envelope, or empty when the attributes hold none or an unreadable one (e.g. a message
     *     the queue's own redrive policy moved after a crash)
     */
    public static Optional<DeadLetterEnvelope> fromAttributes(Map<String, String> attributes) {
        String kind = attributes.get(SluiceAttributes.FAILURE_KIND);
        if (kind == null) {
            return Optional.empty();
        }
        try {
            String message = attributes.getOrDefault(SluiceAttributes.ERROR_MESSAGE, "");
            return Optional.of(new DeadLetterEnvelope(
                    FailureKind.valueOf(kind),
                    attributes.getOrDefault(SluiceAttributes.ERROR_TYPE, "unknown"),
                    "(none)".equals(message) ? "" : message,
                    attributes.getOrDefault(SluiceAttributes.ERROR_FINGERPRINT, "unknown"),
                    Integer.parseInt(attributes.getOrDefault(SluiceAttributes.ATTEMPTS, "0")),
                    Instant.parse(attributes.get(SluiceAttributes.FIRST_FAILURE_AT)),
                    Instant.parse(attributes.get(SluiceAttributes.LAST_FAILURE_AT)),
                    attributes.getOrDefault(SluiceAttributes.SOURCE_QUEUE, "unknown"),
                    attributes.getOrDefault(SluiceAttributes.ORIGINAL_MESSAGE_ID, "unknown")));
        } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
