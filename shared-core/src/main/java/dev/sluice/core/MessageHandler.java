package dev.sluice.core;

import dev.sluice.core.pipeline.FailureClassifier;

/**
 * The one interface a user implements. Return normally when the message is handled; throw
 * {@link PermanentFailureException} (or an exception the {@link FailureClassifier} calls permanent)
 * when retrying cannot help; throw anything else to have the message retried with backoff.
 *
 * @param <T> the decoded body type
 */
@FunctionalInterface
public interface MessageHandler<T> {
    /**
     * Handles one message. Sluice guarantees that a message whose handler returned normally is never
     * handed to this method again under the same idempotency key while its record lives.
     *
     * @param message the decoded message
     * @param context attempt number, remaining time, a contextual logger, and the transaction in
     *     transactional mode
     * @throws Exception any failure; classified as retryable or permanent
     */
    void handle(Message<T> message, HandlerContext context) throws Exception;
}
