package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.pipeline.CircuitBreaker.Permit;
import dev.sluice.core.pipeline.CircuitBreaker.State;
import dev.sluice.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    private static final Duration OPEN = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final CircuitBreaker breaker = new CircuitBreaker(3, OPEN, clock);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            Permit permit = breaker.tryAcquire();
            assertThat(permit.admitted()).isTrue();
            permit.failed();
        }
    }

    @Test
    void opensAfterThresholdConsecutiveFailures_andTurnsMessagesAway() {
        // GIVEN two failures: still closed
        fail(2);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);

        // WHEN the third one fails
        fail(1);

        // THEN it is open and admits nothing
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.tryAcquire().admitted()).isFalse();
    }

    @Test
    void successResetsTheCount_andNeutralResultsCountNeitherWay() {
        // GIVEN two failures, a success, then a release without verdict
        fail(2);
        breaker.tryAcquire().succeeded();
        breaker.tryAcquire().release();

        // WHEN two more fail
        fail(2);

        // THEN it is still closed: the count restarted at the success
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void staysOpenForTheOpenDelay_thenAdmitsExactlyOneProbe() {
        fail(3);

        clock.advance(OPEN.minusMillis(1));
        assertThat(breaker.tryAcquire().admitted()).isFalse();

        clock.advance(Duration.ofMillis(1));
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        Permit probe = breaker.tryAcquire();
        assertThat(probe.admitted()).isTrue();
        assertThat(probe.probe()).isTrue();
        assertThat(breaker.tryAcquire().admitted()).isFalse();
    }

    @Test
    void probeSuccess_closes() {
        fail(3);
        clock.advance(OPEN);

        breaker.tryAcquire().succeeded();

        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.tryAcquire().admitted()).isTrue();
        fail(2);
        assertThat(breaker.state()).as("the count restarts after closing").isEqualTo(State.CLOSED);
    }

    @Test
    void probeFailure_reopensForAnotherFullDelay() {
        fail(3);
        clock.advance(OPEN.plusSeconds(5));

        breaker.tryAcquire().failed();

        assertThat(breaker.state()).isEqualTo(State.OPEN);
        clock.advance(OPEN.minusMillis(1));
        assertThat(breaker.tryAcquire().admitted()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(breaker.tryAcquire().probe()).isTrue();
    }

    @Test
    void probeWithoutVerdict_letsTheNextMessageProbe() {
        fail(3);
        clock.advance(OPEN);

        Permit first = breaker.tryAcquire();
        first.release();
        first.failed();

        assertThat(breaker.state()).as("a permit reports once").isEqualTo(State.HALF_OPEN);
        assertThat(breaker.tryAcquire().probe()).isTrue();
    }

    @Test
    void resultsOfPermitsTakenWhileClosed_areIgnoredOnceOpen() {
        // GIVEN a permit taken while closed, then the breaker opens and reaches half-open
        Permit stale = breaker.tryAcquire();
        fail(3);
        clock.advance(OPEN);
        Permit probe = breaker.tryAcquire();

        // WHEN the stale permit reports success
        stale.succeeded();

        // THEN only the probe decides
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        probe.failed();
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void halfOpen_admitsExactlyOneProbe_underConcurrency() throws Exception {
        // GIVEN a breaker that has just become half-open
        fail(3);
        clock.advance(OPEN);
        int threads = 32;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Permit>> permits = new ArrayList<>();

        // WHEN 32 threads ask at once
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                permits.add(pool.submit(() -> {
                    start.await();
                    return breaker.tryAcquire();
                }));
            }
            start.countDown();
        }

        // THEN exactly one is admitted, as the probe
        List<Permit> admitted = new ArrayList<>();
        for (Future<Permit> permit : permits) {
            if (permit.get().admitted()) {
                admitted.add(permit.get());
            }
        }
        assertThat(admitted).singleElement().satisfies(p -> assertThat(p.probe()).isTrue());
    }

    @Test
    void thresholdZero_neverOpens() {
        CircuitBreaker off = new CircuitBreaker(0, OPEN, clock);
        for (int i = 0; i < 100; i++) {
            off.tryAcquire().failed();
        }
        assertThat(off.state()).isEqualTo(State.CLOSED);
        assertThat(off.tryAcquire().admitted()).isTrue();
    }

    @Test
    void badSettings_areNamed() {
        assertThatThrownBy(() -> new CircuitBreaker(-1, OPEN, clock)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> new CircuitBreaker(1, Duration.ofSeconds(-1), clock)).hasMessageContaining("openDelay");
    }
}
