package dev.sluice.cli.backend;

import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.RedriveTarget;
import java.util.List;
import java.util.Optional;

/** One dead-letter queue and the queue it redrives to, on some provider. */
public interface DlqBackend extends AutoCloseable {
    /** @return the dead-letter queue's approximate depth */
    QueueStats stats();

    /**
     * Reads without removing: every dead letter returned stays in the queue.
     *
     * @param max the most to read
     * @return up to {@code max} dead letters
     */
    List<DeadLetter> browse(int max);

    /** @return the dead-letter queue as a redrive source */
    DeadLetterSource source();

    /** @return the queue redriven messages go to */
    RedriveTarget target();

    /** @return the provider's native redrive, if it has one */
    default Optional<NativeRedrive> nativeRedrive() {
        return Optional.empty();
    }

    @Override
    void close();
}
