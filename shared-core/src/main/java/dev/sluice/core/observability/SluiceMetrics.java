package dev.sluice.core.observability;

/** Metric names (DESIGN section 8). Every data point has a {@code queue} dimension. */
public final class SluiceMetrics {
    /** Messages handed to the pipeline. */
    public static final String RECEIVED = "queue_messages_received_total";
    /** Messages whose handler returned normally. */
    public static final String COMPLETED = "queue_messages_completed_total";
    /** Messages skipped as duplicates. */
    public static final String DUPLICATE = "queue_messages_duplicate_total";
    /** Messages returned for a retry. */
    public static final String ABANDONED = "queue_messages_abandoned_total";
    /** Messages dead-lettered; dimension {@code failure_kind}. */
    public static final String DEAD_LETTERED = "queue_messages_dead_lettered_total";
    /** Errors; dimension {@code error_type}. */
    public static final String ERRORS = "queue_errors_total";
    /** Retries scheduled after a failed attempt. */
    public static final String RETRY_ATTEMPTS = "queue_retry_attempts_total";
    /** Handler execution time. */
    public static final String HANDLER_DURATION = "queue_handler_duration_seconds";
    /** Service Bus sessions processed: one per session in each batch of a session-enabled queue. */
    public static final String SESSIONS_PROCESSED = "queue_sessions_processed_total";
    /** Service Bus sessions whose batch returned a message for a retry (the session waits behind it). */
    public static final String SESSIONS_BLOCKED = "queue_sessions_blocked_total";
    /** Messages a sender tried to send; dimension {@code status} ({@code sent} or {@code failed}). */
    public static final String SENT = "queue_messages_sent_total";
    /** Time one send call took (a batch of messages, retries included). */
    public static final String SEND_DURATION = "queue_send_duration_seconds";

    /** Dimension: the queue. */
    public static final String DIM_QUEUE = "queue";
    /** Dimension: the error type. */
    public static final String DIM_ERROR_TYPE = "error_type";
    /** Dimension: the failure kind. */
    public static final String DIM_FAILURE_KIND = "failure_kind";

    /** Dimension: the outcome of a send. */
    public static final String DIM_STATUS = "status";

    private SluiceMetrics() {}
}
