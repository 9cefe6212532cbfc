package dev.sluice.azure;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message received in peek-lock mode from a queue or a dead-letter sub-queue, for redrive and
 * inspection. The body is carried as bytes and never parsed.
 *
 * @param lockToken the lock to complete or abandon it with
 * @param messageId its message id
 * @param body the body bytes
 * @param applicationProperties application properties as text (Service Bus dead-letter reasons included)
 * @param sessionId the session id, or null
 * @param correlationId the correlation id, or null
 * @param contentType the content type, or null
 * @param enqueuedAt when it was enqueued where it now is
 * @param deliveryCount how often it was delivered
 */
public record ReceivedMessage(String lockToken, String messageId, byte[] body, Map<String, String> applicationProperties,
                              @Nullable String sessionId, @Nullable String correlationId, @Nullable String contentType,
                              Instant enqueuedAt, int deliveryCount) {
    /** Validates and copies. */
    public ReceivedMessage {
        Objects.requireNonNull(lockToken, "lockToken");
        Objects.requireNonNull(messageId, "messageId");
        body = Objects.requireNonNull(body, "body").clone();
        applicationProperties = Map.copyOf(applicationProperties);
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
    }

    /** @return a copy of the body */
    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String toString() {
        return "ReceivedMessage[id=" + messageId + ", session=" + sessionId + ", bytes=" + body.length + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceivedMessage other && lockToken.equals(other.lockToken) && messageId.equals(other.messageId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lockToken, messageId);
    }
}
