package dev.sluice.core.pipeline;

import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import java.time.Duration;
import java.util.Optional;

/** First stage: whether a message may start at all (enough invocation time left, breaker admits it). */
final class Admission {
    private final Duration safetyMargin;
    private final Duration openDelay;
    private final Telemetry telemetry;

    Admission(Duration safetyMargin, Duration openDelay, Telemetry telemetry) {
        this.safetyMargin = safetyMargin;
        this.openDelay = openDelay;
        this.telemetry = telemetry;
    }

    /**
     * @param remaining invocation time left
     * @param permit the breaker's permit for this message
     * @return why the message must not start, or empty when it may
     */
    Optional<Verdict> admit(Duration remaining, CircuitBreaker.Permit permit) {
        telemetry.count(SluiceMetrics.RECEIVED);
        if (remaining.compareTo(safetyMargin) < 0) {
            return Optional.of(new Verdict.NotStarted(RetryReason.TIME_BUDGET, Duration.ZERO));
        }
        if (!permit.admitted()) {
            return Optional.of(new Verdict.NotStarted(RetryReason.CIRCUIT_OPEN, openDelay));
        }
        return Optional.empty();
    }
}
