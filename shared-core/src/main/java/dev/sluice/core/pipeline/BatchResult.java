package dev.sluice.core.pipeline;

import io.opentelemetry.api.trace.SpanContext;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The outcomes of a batch, one per message, in the order the messages were given, with each message's span.
 *
 * @param outcomes one outcome per input message, same order
 * @param spanContexts the span of each message, same order (invalid when tracing is off): what an adapter
 *     parents its sends and settlements on
 */
public record BatchResult(List<MessageOutcome> outcomes, List<SpanContext> spanContexts) {
    /** Copies; one span context per outcome. */
    public BatchResult {
        outcomes = List.copyOf(Objects.requireNonNull(outcomes, "outcomes"));
        spanContexts = List.copyOf(Objects.requireNonNull(spanContexts, "spanContexts"));
        if (spanContexts.size() != outcomes.size()) {
            throw new IllegalArgumentException("one span context per outcome: " + spanContexts.size() + " for " + outcomes.size());
        }
    }

    /** @param outcomes one outcome per input message, same order (copied), without spans */
    public BatchResult(List<MessageOutcome> outcomes) {
        this(outcomes, java.util.Collections.nCopies(outcomes.size(), SpanContext.getInvalid()));
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
