package dev.sluice.azure;

import java.util.List;

/**
 * Sends copies to Service Bus queues: the port {@link ServiceBusBatchConsumer} re-publishes retries and
 * parks dead letters through. {@link ServiceBusMessaging} implements it on the Azure SDK; tests use an
 * in-memory broker. Create one per function instance and reuse it.
 */
@FunctionalInterface
public interface MessagePublisher {
    /**
     * Sends {@code messages} to {@code queue} in order; returns only once every one is durably enqueued
     * (or scheduled).
     *
     * @param queue the queue's name
     * @param messages the messages, in the order they must keep
     * @throws MessageRejectedException when Service Bus refused some for what they contain; all others were sent
     * @throws RuntimeException when any could not be sent; some may have been sent already
     */
    void publish(String queue, List<OutgoingMessage> messages);
}
