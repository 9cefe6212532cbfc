package dev.sluice.cli.backend;

import dev.sluice.core.redrive.DeadLetterQueue;

/** Opens the dead-letter queue (or a sender to the queue) the options name; tests substitute their own. */
@FunctionalInterface
public interface BackendFactory {
    /**
     * @param options the queue options
     * @return an open dead-letter queue
     * @throws IllegalArgumentException when the options name no queue
     */
    DeadLetterQueue open(QueueOptions options);

    /**
     * @param options the queue options
     * @return a sender to the queue they name
     * @throws IllegalArgumentException when the options name no queue
     */
    default OpenSender sender(QueueOptions options) {
        throw new UnsupportedOperationException("this back end cannot send");
    }
}
