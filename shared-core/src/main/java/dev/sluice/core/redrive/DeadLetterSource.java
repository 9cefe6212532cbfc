package dev.sluice.core.redrive;

import java.util.List;

/**
 * A dead-letter or parking queue to redrive from. Received messages stay hidden from other readers
 * until {@link #remove} or {@link #release}; implementations hide them long enough for one scan.
 */
public interface DeadLetterSource {
    /** @return a name for progress and the audit record */
    String name();

    /**
     * @param max the most messages to return
     * @return up to {@code max} dead letters; empty when none are left
     */
    List<DeadLetter> receive(int max);

    /** @param deadLetter a received dead letter to delete (after its copy was sent) */
    void remove(DeadLetter deadLetter);

    /** @param deadLetter a received dead letter to leave in the queue, visible again */
    void release(DeadLetter deadLetter);
}
