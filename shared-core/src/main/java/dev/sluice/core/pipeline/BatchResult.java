package dev.sluice.core.pipeline;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The outcomes of a batch, one per message, in the order the messages were given.
 *
 * @param outcomes one outcome per input message, same order
 */
public record BatchResult(List<MessageOutcome> outcomes) {
    /** @param outcomes one outcome per input message, same order (copied) */
    public BatchResult {
        outcomes = List.copyOf(Objects.requireNonNull(outcomes, "outcomes"));
    }

    /**
     * @param type an outcome type
     * @param <O> the outcome type
     * @return the outcomes of that type, in input order
     */
    public <O extends MessageOutcome> List<O> ofType(Class<O> type) {
        return outcomes.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** @return the retries */
    public List<MessageOutcome.Retry> retries() {
        return ofType(MessageOutcome.Retry.class);
    }

    /** @return the dead letters */
    public List<MessageOutcome.DeadLettered> deadLetters() {
        return ofType(MessageOutcome.DeadLettered.class);
    }

    /** @return the outcomes as a stream */
    public Stream<MessageOutcome> stream() {
        return outcomes.stream();
    }
}
