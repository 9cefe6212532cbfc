package dev.sluice.core.pipeline;

/** Why a message was dead-lettered. Written to the {@code sluice-failure-kind} attribute. */
public enum FailureKind {
    /** The body did not decode, or its schema version is unknown. */
    POISON,
    /** The handler said retrying cannot help. */
    PERMANENT,
    /** A retryable failure with every attempt used up. */
    EXHAUSTED,
    /** The signature was missing or did not verify; the body was never decoded. */
    SIGNATURE_INVALID,
    /** The idempotency key was seen before with another payload. */
    IDEMPOTENCY_MISMATCH,
    /** The handler ran past its time limit on the last attempt. */
    TIMEOUT
}
