package dev.sluice.core.redrive;

import java.util.List;
import java.util.Optional;

/**
 * The dead-letter-queue port: one dead-letter (or parking) queue and the queue it redrives to, on one provider.
 * Implemented once per cloud by its adapter ({@code SqsDeadLetterQueue}, {@code ServiceBusDeadLetterQueue}); the
 * {@code sluice dlq} commands, the redrive engine and the archive work through it only. Every implementation passes
 * the same contract tests.
 */
public interface DeadLetterQueue extends AutoCloseable {
    /** @return the dead-letter queue's approximate depth */
    QueueStats stats();

    /**
     * Reads without removing: every dead letter returned stays in the queue, visible to other readers.
     *
     * @param max the most to read
     * @return up to {@code max} dead letters, with everything the provider says about them
     */
    List<DeadLetter> browse(int max);

    /** @return the dead-letter queue as a redrive source (receive hides, remove deletes, release shows again) */
    DeadLetterSource source();

    /** @return the queue redriven messages go to */
    RedriveTarget target();

    /** @return the provider's native redrive, if it has one */
    default Optional<MoveTasks> moveTasks() {
        return Optional.empty();
    }

    /** Closes the clients this queue owns. */
    @Override
    void close();
}
