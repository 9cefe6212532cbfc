package dev.sluice.azure;

import dev.sluice.core.redrive.QueueStats;
import java.util.List;

/**
 * Counts and peeks: what {@link ServiceBusDeadLetterQueue} needs beyond {@link QueueReader} and
 * {@link MessagePublisher}. Peeking takes no lock and leaves the delivery count alone.
 */
public interface QueueInspector {
    /**
     * @param path a queue or {@code <queue>/$DeadLetterQueue}
     * @return its active message count (the dead-letter count for a dead-letter sub-queue)
     */
    QueueStats stats(String path);

    /**
     * @param path a queue or {@code <queue>/$DeadLetterQueue}
     * @param max the most to return
     * @return up to {@code max} messages from the front, unlocked
     */
    List<ReceivedMessage> peek(String path, int max);
}
