package dev.sluice.azure;

import dev.sluice.core.SluiceException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Service Bus refused some messages of a send for what they contain (a property or the size), so sending
 * them again unchanged would fail again. Every other message of the send was sent. {@link MessagePublisher}s
 * throw it so {@link ServiceBusBatchConsumer} can park a refused dead letter again with the minimal envelope.
 */
public class MessageRejectedException extends SluiceException {
    private static final long serialVersionUID = 1L;
    private final String queue;
    private final Set<String> rejectedMessageIds;

    /**
     * @param queue the queue the send went to
     * @param rejectedMessageIds the {@link OutgoingMessage#messageId()}s of the refused messages
     * @param cause the refusal, if the broker gave one
     */
    public MessageRejectedException(String queue, Set<String> rejectedMessageIds, @Nullable Throwable cause) {
        super(rejectedMessageIds.size() + " message(s) sent to '" + queue + "' were refused for their content", cause);
        this.queue = queue;
        this.rejectedMessageIds = Set.copyOf(rejectedMessageIds);
    }

    /** @return the queue the send went to */
    public String queue() {
        return queue;
    }

    /** @return the ids of the refused messages; the others of the send were sent */
    public Set<String> rejectedMessageIds() {
        return rejectedMessageIds;
    }
}
