package dev.sluice.core.redrive;

import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.security.Texts;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The attributes a dead-lettered message carries beside its unchanged body (DESIGN section 6).
 *
 * <p>Dead-lettering never fails because of what an error text contains: every text field is made safe for
 * every provider here, once, for both adapters. The error message is redacted first, then characters a
 * provider rejects in attributes (controls, U+FFFE/U+FFFF, unpaired surrogates) become U+FFFD, then it is cut
 * to {@value #MAX_ERROR_MESSAGE_BYTES} bytes; the other text fields are made safe and cut to
 * {@value #MAX_FIELD_BYTES} bytes. Should a provider still reject the dead letter, adapters send it again
 * with {@link #toMinimalAttributes()}.
 *
 * @param failureKind why it was dead-lettered
 * @param errorType the exception type (or a Sluice reason type), at most {@link #MAX_FIELD_BYTES} UTF-8 bytes
 * @param errorMessage the redacted error message, at most {@link #MAX_ERROR_MESSAGE_BYTES} UTF-8 bytes
 * @param errorFingerprint a hash of the error type and its top frames, to group equal failures
 * @param attempts attempts used
 * @param firstFailureAt the first failure
 * @param lastFailureAt the last failure
 * @param sourceQueue the queue it failed on, at most {@link #MAX_FIELD_BYTES} UTF-8 bytes
 * @param originalMessageId the message's stable id, at most {@link #MAX_FIELD_BYTES} UTF-8 bytes
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
    /**
     * The longest error type, fingerprint, source queue and message id kept, in UTF-8 bytes: above SQS's
     * 80-character queue names and Service Bus's 260-character entity paths and 128-character message ids.
     */
    public static final int MAX_FIELD_BYTES = 512;

    /** Validates, redacts, makes every text safe for every provider, and truncates. */
    public DeadLetterEnvelope {
        Objects.requireNonNull(failureKind, "failureKind");
        Objects.requireNonNull(errorType, "errorType");
        Objects.requireNonNull(errorFingerprint, "errorFingerprint");
        Objects.requireNonNull(firstFailureAt, "firstFailureAt");
        Objects.requireNonNull(lastFailureAt, "lastFailureAt");
        Objects.requireNonNull(sourceQueue, "sourceQueue");
        Objects.requireNonNull(originalMessageId, "originalMessageId");
        errorMessage = Texts.redactedAttributeValue(Objects.requireNonNullElse(errorMessage, ""), MAX_ERROR_MESSAGE_BYTES);
        errorType = Texts.attributeValue(errorType, MAX_FIELD_BYTES);
        errorFingerprint = Texts.attributeValue(errorFingerprint, MAX_FIELD_BYTES);
        sourceQueue = Texts.attributeValue(sourceQueue, MAX_FIELD_BYTES);
        originalMessageId = Texts.attributeValue(originalMessageId, MAX_FIELD_BYTES);
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
     * The envelope cut to what cannot be rejected, for a dead letter a provider refused with the full one:
     * the failure kind, the stable id and the attempts, so redrive filters by kind and idempotency still work.
     *
     * @return the minimal envelope as message attributes
     */
    public Map<String, String> toMinimalAttributes() {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(SluiceAttributes.FAILURE_KIND, failureKind.name());
        attributes.put(SluiceAttributes.ORIGINAL_MESSAGE_ID, originalMessageId);
        attributes.put(SluiceAttributes.ATTEMPTS, Integer.toString(attempts));
        return attributes;
    }

    /**
     * Reads an envelope back from a dead letter's attributes; failure times missing from them (a minimal
     * envelope) read as {@link Instant#EPOCH}.
     *
     * @param attributes the dead letter's attributes
     * @return the envelope, or empty when the attributes hold none or an unreadable one (e.g. a message
     *     the queue's own redrive policy moved after a crash)
     */
    public static Optional<DeadLetterEnvelope> fromAttributes(Map<String, String> attributes) {
        return fromAttributes(attributes, Instant.EPOCH);
    }

    /**
     * Reads an envelope back from a dead letter's attributes.
     *
     * @param attributes the dead letter's attributes
     * @param unknownFailureTime the failure times of an envelope that has none (a minimal envelope), e.g. when
     *     the dead letter was enqueued
     * @return the envelope, or empty when the attributes hold none or an unreadable one
     */
    public static Optional<DeadLetterEnvelope> fromAttributes(Map<String, String> attributes, Instant unknownFailureTime) {
        Objects.requireNonNull(unknownFailureTime, "unknownFailureTime");
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
                    instant(attributes.get(SluiceAttributes.FIRST_FAILURE_AT), unknownFailureTime),
                    instant(attributes.get(SluiceAttributes.LAST_FAILURE_AT), unknownFailureTime),
                    attributes.getOrDefault(SluiceAttributes.SOURCE_QUEUE, "unknown"),
                    attributes.getOrDefault(SluiceAttributes.ORIGINAL_MESSAGE_ID, "unknown")));
        } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Instant instant(@Nullable String value, Instant unknown) {
        return value == null ? unknown : Instant.parse(value);
    }
}
