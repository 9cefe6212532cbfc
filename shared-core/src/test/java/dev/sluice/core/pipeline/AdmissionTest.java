package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import dev.sluice.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final InMemoryMetrics metrics = new InMemoryMetrics();
    private final Admission admission = new Admission(Duration.ofSeconds(2), Duration.ofSeconds(45),
            new Telemetry("orders", metrics, event -> { }));

    @Test
    void enoughTimeAndAClosedBreaker_admit_andCountTheMessageAsReceived() {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(45), clock);

        assertThat(admission.admit(Duration.ofMinutes(1), breaker.tryAcquire())).isEmpty();
        assertThat(metrics.total(SluiceMetrics.RECEIVED)).isEqualTo(1);
    }

    @Test
    void lessTimeThanTheSafetyMargin_isNotStarted_withNoDelay() {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofSeconds(45), clock);

        assertThat(admission.admit(Duration.ofMillis(1999), breaker.tryAcquire()))
                .contains(new Verdict.NotStarted(RetryReason.TIME_BUDGET, Duration.ZERO));
    }

    @Test
    void anOpenBreaker_isNotStarted_withTheOpenDelay() {
        // GIVEN a breaker opened by one failure
        CircuitBreaker breaker = new CircuitBreaker(1, Duration.ofSeconds(45), clock);
        breaker.tryAcquire().failed();

        // WHEN a message asks to start, THEN it returns after the open delay
        assertThat(admission.admit(Duration.ofMinutes(1), breaker.tryAcquire()))
                .contains(new Verdict.NotStarted(RetryReason.CIRCUIT_OPEN, Duration.ofSeconds(45)));
    }
}
