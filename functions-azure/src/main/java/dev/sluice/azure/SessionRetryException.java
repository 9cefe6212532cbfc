package dev.sluice.azure;

import dev.sluice.core.SluiceException;
import java.time.Duration;

/**
 * A message of a session batch must be retried. {@link ServiceBusBatchConsumer} has waited its backoff (holding the
 * session lock) and throws this so the Functions host abandons the whole batch: Service Bus makes every message of it
 * available again at its place in the session, so the retried message comes back first and nothing of its session
 * overtakes it. Messages before it that succeeded are skipped as duplicates on the redelivery; attempts are counted
 * per message by the idempotency store, so the abandon costs a neighbour no attempt. Not a failure of the function:
 * the host logs it as one, with this message.
 */
public class SessionRetryException extends SluiceException {
    private static final long serialVersionUID = 1L;
    private final String sessionId;
    private final String messageId;

    /**
     * @param sessionId the session
     * @param messageId the message to retry (its provider id)
     * @param waited how long the consumer waited before abandoning
     */
    public SessionRetryException(String sessionId, String messageId, Duration waited) {
        super("session " + sessionId + ": message " + messageId + " is retried after " + waited.toMillis()
                + " ms; the batch is abandoned so the session keeps its order");
        this.sessionId = sessionId;
        this.messageId = messageId;
    }

    /** @return the session */
    public String sessionId() {
        return sessionId;
    }

    /** @return the message retried */
    public String messageId() {
        return messageId;
    }
}
