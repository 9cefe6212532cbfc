package dev.sluice.core.sender;

import java.util.Objects;

/** What became of one message of a send. */
public sealed interface SendResult {
    /** @return the {@code sluice-message-id} the sender gave the message */
    String messageId();

    /**
     * The provider accepted the message.
     *
     * @param messageId the {@code sluice-message-id}
     * @param providerMessageId the id the provider assigned (SQS message id, Service Bus message id)
     */
    record Sent(String messageId, String providerMessageId) implements SendResult {
        /** Validates. */
        public Sent {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(providerMessageId, "providerMessageId");
        }
    }

    /**
     * The message was not sent.
     *
     * @param messageId the {@code sluice-message-id} it would have carried
     * @param reason why, e.g. the provider's error code and text, or the limit it exceeds
     */
    record Failed(String messageId, String reason) implements SendResult {
        /** Validates. */
        public Failed {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(reason, "reason");
        }

        /**
         * @param e why {@link Envelope#seal(OutboundMessage, int)} failed: only the payload store can
         * @return the failure of a message that was never sealed, so has no message id and was not sent
         */
        public static Failed notStored(RuntimeException e) {
            return new Failed("", "the payload could not be stored (nothing was sent): " + e.getClass().getSimpleName()
                    + ": " + e.getMessage());
        }
    }
}
