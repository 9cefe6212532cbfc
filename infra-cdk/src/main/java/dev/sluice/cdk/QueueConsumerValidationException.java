package dev.sluice.cdk;

import java.util.List;

/**
 * Thrown by {@link QueueConsumer.Builder#build()} when the settings are invalid or inconsistent,
 * so that {@code cdk synth} fails before anything is deployed. The message lists every violation,
 * each naming the builder property to change.
 */
public final class QueueConsumerValidationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> violations;

    /**
     * @param consumerPath the construct path of the consumer being built
     * @param violations one sentence per violated rule, each naming the property
     */
    public QueueConsumerValidationException(String consumerPath, List<String> violations) {
        super("Invalid QueueConsumer '" + consumerPath + "':\n  - " + String.join("\n  - ", violations));
        this.violations = List.copyOf(violations);
    }

    /** Every violated rule, one sentence each, in the order they were checked. */
    public List<String> violations() {
        return violations;
    }
}
