package dev.sluice.core.redrive;

import java.util.Set;

/** Names of the message attributes Sluice reads and writes, the same on every provider. */
public final class SluiceAttributes {
    /** Overrides the idempotency key. */
    public static final String IDEMPOTENCY_KEY = "idempotency-key";
    /** Picks the decoder, with {@link #SCHEMA_VERSION}. */
    public static final String MESSAGE_TYPE = "message-type";
    /** The schema version of the body. */
    public static final String SCHEMA_VERSION = "schema-version";
    /** {@code gzip} when the body is compressed (base64 text of the gzip bytes on text-only queues). */
    public static final String CONTENT_ENCODING = "content-encoding";
    /** A correlation id propagated into logs. */
    public static final String CORRELATION_ID = "correlation-id";
    /** The id of the message that caused this one (unsigned, like {@link #CORRELATION_ID}). */
    public static final String CAUSATION_ID = "causation-id";
    /** The producer that sent the message, e.g. a service name (unsigned). */
    public static final String SOURCE = "source";
    /** HMAC-SHA256 signature, base64, over the canonical form {@link #SIGNATURE_VERSION} names. */
    public static final String SIGNATURE = "sluice-signature";
    /** Id of the key that made {@link #SIGNATURE}. */
    public static final String KEY_ID = "sluice-key-id";
    /** The canonical form {@link #SIGNATURE} covers ({@code 1}); absent on a body-only signature. */
    public static final String SIGNATURE_VERSION = "sluice-signature-version";
    /** When the producer sent the message (ISO-8601 instant); signed, and checked for freshness. */
    public static final String SENT_AT = "sluice-sent-at";
    /** The producer-assigned message id; signed, so it may serve as the idempotency key. */
    public static final String MESSAGE_ID = "sluice-message-id";
    /** Where a payload stored outside the message lives (claim-check); signed when present. */
    public static final String CLAIM_CHECK = "sluice-claim-check";
    /** Attempts already used before this copy was published (re-publish on Azure). */
    public static final String ATTEMPT = "sluice-attempt";
    /** How often this message was redriven. */
    public static final String REDRIVE_COUNT = "sluice-redrive-count";

    /** Dead-letter envelope: the failure kind. */
    public static final String FAILURE_KIND = "sluice-failure-kind";
    /** Dead-letter envelope: the exception type. */
    public static final String ERROR_TYPE = "sluice-error-type";
    /** Dead-letter envelope: the redacted error message (at most 1 KiB). */
    public static final String ERROR_MESSAGE = "sluice-error-message";
    /** Dead-letter envelope: hash of the error type and its top frames. */
    public static final String ERROR_FINGERPRINT = "sluice-error-fingerprint";
    /** Dead-letter envelope: attempts used. */
    public static final String ATTEMPTS = "sluice-attempts";
    /** Dead-letter envelope: first failure time (ISO-8601). */
    public static final String FIRST_FAILURE_AT = "sluice-first-failure-at";
    /** Dead-letter envelope: last failure time (ISO-8601). */
    public static final String LAST_FAILURE_AT = "sluice-last-failure-at";
    /** Dead-letter envelope: the queue the message failed on. */
    public static final String SOURCE_QUEUE = "sluice-source-queue";
    /** The message's stable id, kept across dead-lettering, re-publish and redrive. */
    public static final String ORIGINAL_MESSAGE_ID = "sluice-original-message-id";

    /** Attributes that describe one failure and are dropped when a message is redriven. */
    public static final Set<String> FAILURE_ATTRIBUTES = Set.of(
            FAILURE_KIND, ERROR_TYPE, ERROR_MESSAGE, ERROR_FINGERPRINT, ATTEMPTS,
            FIRST_FAILURE_AT, LAST_FAILURE_AT, SOURCE_QUEUE, ATTEMPT);

    private SluiceAttributes() {}

    /**
     * Whether a message came back from a dead-letter queue: a selective redrive adds {@link #REDRIVE_COUNT}; a native
     * move (e.g. an SQS move task) keeps the dead letter's envelope, so {@link #FAILURE_KIND} is still there.
     *
     * @param attributes the message's attributes
     * @return true for a redriven message
     */
    public static boolean redriven(java.util.Map<String, String> attributes) {
        return attributes.containsKey(REDRIVE_COUNT) || attributes.containsKey(FAILURE_KIND);
    }
}
