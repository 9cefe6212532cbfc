package dev.sluice.azure;

import dev.sluice.core.SluiceException;

/**
 * A retry copy or a parked dead letter could not be sent. {@link ServiceBusBatchConsumer} throws it so
 * the Functions host abandons the whole batch: Service Bus redelivers every message and idempotency skips
 * those already done, so nothing is lost and nothing runs twice.
 */
public class RepublishException extends SluiceException {
    private static final long serialVersionUID = 1L;
    private final String queue;
    private final int unsent;

    /**
     * @param queue the queue the send went to
     * @param unsent how many copies were in the failed send
     * @param cause the send's failure
     */
    public RepublishException(String queue, int unsent, Throwable cause) {
        super("could not send " + unsent + " message(s) to '" + queue + "'; the batch will be redelivered: "
                + cause.getClass().getName(), cause);
        this.queue = queue;
        this.unsent = unsent;
    }

    /** @return the queue the failed send went to */
    public String queue() {
        return queue;
    }

    /** @return how many copies were in the failed send */
    public int unsent() {
        return unsent;
    }
}
