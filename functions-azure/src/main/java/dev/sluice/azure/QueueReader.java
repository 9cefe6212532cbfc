package dev.sluice.azure;

import java.time.Duration;
import java.util.List;

/**
 * Receives in peek-lock mode from a queue, its dead-letter sub-queue ({@code <queue>/$DeadLetterQueue})
 * or a parking queue: the port Service Bus redrive reads through.
 */
public interface QueueReader {
    /** The path suffix of a queue's dead-letter sub-queue. */
    String DEAD_LETTER_SUFFIX = "/$DeadLetterQueue";

    /**
     * @param queue a queue name
     * @return the path of its dead-letter sub-queue
     */
    static String deadLetterQueueOf(String queue) {
        return queue + DEAD_LETTER_SUFFIX;
    }

    /**
     * @param path a queue name or {@code <queue>/$DeadLetterQueue}
     * @param max the most messages to return
     * @param wait how long to wait for the first one
     * @return up to {@code max} locked messages; empty when none arrived within {@code wait}
     */
    List<ReceivedMessage> receive(String path, int max, Duration wait);

    /** @param path where it was received @param message a received message to delete */
    void complete(String path, ReceivedMessage message);

    /** @param path where it was received @param message a received message to make visible again */
    void abandon(String path, ReceivedMessage message);
}
