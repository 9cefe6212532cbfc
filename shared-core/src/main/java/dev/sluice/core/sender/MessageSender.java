package dev.sluice.core.sender;

import java.util.List;

/**
 * Sends messages to one queue with the headers Sluice consumers read. Implementations batch within the provider's
 * limits, retry what failed transiently and report one {@link SendResult} per message: a send never throws for
 * one message's failure. Thread-safe; build once and reuse.
 */
public interface MessageSender {
    /**
     * @param messages the messages, in order
     * @return one result per message, in the same order
     */
    List<SendResult> sendAll(List<OutboundMessage> messages);

    /**
     * @param message a message
     * @return its result
     */
    default SendResult send(OutboundMessage message) {
        return sendAll(List.of(message)).getFirst();
    }
}
