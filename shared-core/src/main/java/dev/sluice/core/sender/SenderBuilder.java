package dev.sluice.core.sender;

import dev.sluice.core.observability.Tracing;
import dev.sluice.core.spi.MetricsSink;
import java.util.Objects;

/**
 * What every provider's sender builder shares, in one place: the envelope, where metrics and the producer span go, and
 * the retry of what failed transiently.
 *
 * @param <B> the provider's builder
 */
public abstract class SenderBuilder<B extends SenderBuilder<B>> {
    private Envelope envelope = Envelope.builder().build();
    private MetricsSink metrics = MetricsSink.NOOP;
    private SendRetry retry = SendRetry.defaults();
    private Tracing tracing = Tracing.global();

    /** For the providers' builders. */
    protected SenderBuilder() {}

    /** @return this builder, as its own type */
    protected abstract B self();

    /** @param envelope what writes the headers, signs, compresses and claim-checks (default: unsigned, gzip above 64 KiB) @return this */
    public B envelope(Envelope envelope) {
        this.envelope = Objects.requireNonNull(envelope, "envelope");
        return self();
    }

    /** @param metrics where send metrics go @return this */
    public B metrics(MetricsSink metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        return self();
    }

    /** @param tracing where the {@code send <queue>} producer span goes (default {@link Tracing#global()}) @return this */
    public B tracing(Tracing tracing) {
        this.tracing = Objects.requireNonNull(tracing, "tracing");
        return self();
    }

    /** @param retry attempts and backoff for what failed transiently (default {@link SendRetry#defaults()}) @return this */
    public B retry(SendRetry retry) {
        this.retry = Objects.requireNonNull(retry, "retry");
        return self();
    }

    /**
     * What a provider's sender takes from its builder.
     *
     * @param envelope the envelope
     * @param metrics the metrics sink
     * @param retry the retry
     * @param tracing the tracing
     */
    public record Options(Envelope envelope, MetricsSink metrics, SendRetry retry, Tracing tracing) {}

    /** @return what was set, for the provider's {@code build()} to hand to its sender */
    protected Options options() {
        return new Options(envelope, metrics, retry, tracing);
    }
}
