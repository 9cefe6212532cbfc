package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.order;
import static dev.sluice.core.testing.TestMessages.orderJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.security.Hashes;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.Release;
import dev.sluice.core.testing.MutableClock;
import dev.sluice.core.testing.TestMessages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IdempotencyGuardTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(2);

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryIdempotencyStore store = new InMemoryIdempotencyStore();
    private final Telemetry telemetry = new Telemetry("orders", new InMemoryMetrics(), event -> { });
    private final IdempotencyGuard guard = guard(store);

    private IdempotencyGuard guard(IdempotencyStore s) {
        return new IdempotencyGuard(IdempotencyOptions.builder().store(s).lease(LEASE).build(), 3, clock, telemetry);
    }

    private static byte[] payload(String id) {
        return orderJson(id, 1).getBytes(StandardCharsets.UTF_8);
    }

    private IdempotencyGuard.Entry enter(String id, int attempt) {
        return guard.enter(order(id, 1), payload(id), id, attempt);
    }

    @Test
    void withoutAStoreOrAKey_theHandlerRunsUnguarded() {
        assertThat(new IdempotencyGuard(null, 3, clock, telemetry).enter(order("o", 1), payload("o"), null, 1))
                .isInstanceOf(IdempotencyGuard.Unguarded.class);
        assertThat(guard.enter(order("o", 1), payload("o"), null, 1)).isInstanceOf(IdempotencyGuard.Unguarded.class);
    }

    @Test
    void newWork_isLeasedAsAttemptOne_andASuccessCompletesTheRecord() {
        IdempotencyGuard.Leased leased = (IdempotencyGuard.Leased) enter("o-1", 5);

        assertThat(leased.attempt()).isEqualTo(1);
        assertThat(guard.succeeded(order("o-1", 1), leased)).isEqualTo(new Verdict.Ran(1, null, null));
        assertThat(enter("o-1", 1)).isEqualTo(new IdempotencyGuard.Stop(new Verdict.AlreadyDone()));
    }

    @Test
    void aFailureIsCounted_soTheNextExecutionIsAttemptTwo_withTheFirstFailureKept() {
        guard.failed(order("o-2", 1), (IdempotencyGuard.Leased) enter("o-2", 1), false);
        clock.advance(Duration.ofSeconds(5));

        IdempotencyGuard.Leased again = (IdempotencyGuard.Leased) enter("o-2", 2);

        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.firstFailureAt()).isEqualTo(T0);
    }

    @Test
    void aTimeoutIsCounted_butTheLeaseIsKept() {
        guard.timedOut(order("o-3", 1), (IdempotencyGuard.Leased) enter("o-3", 1));

        assertThat(store.find("o-3")).hasValueSatisfying(r -> {
            assertThat(r.failures()).isEqualTo(1);
            assertThat(r.leaseExpiresAt()).isEqualTo(T0.plus(LEASE));
        });
        assertThat(enter("o-3", 2)).isInstanceOfSatisfying(IdempotencyGuard.Stop.class,
                s -> assertThat(s.verdict()).isEqualTo(new Verdict.TwinInProgress(2, LEASE, LEASE)));
    }

    @Test
    void theSameKeyWithAnotherPayload_isRejectedAsAMismatch() {
        enter("o-4", 1);

        IdempotencyGuard.Entry other = guard.enter(order("o-4", 999), orderJson("o-4", 999).getBytes(StandardCharsets.UTF_8),
                "o-4", 1);

        assertThat(other).isInstanceOfSatisfying(IdempotencyGuard.Stop.class, s -> assertThat(s.verdict())
                .isInstanceOfSatisfying(Verdict.Rejected.class, r -> assertThat(r.kind()).isEqualTo(FailureKind.IDEMPOTENCY_MISMATCH)));
    }

    @Test
    void aRecordWithEveryAttemptUsed_isRejectedAsExhausted_withoutAnotherExecution() {
        for (int i = 1; i <= 3; i++) {
            guard.failed(order("o-5", 1), (IdempotencyGuard.Leased) enter("o-5", i), false);
        }

        assertThat(enter("o-5", 4)).isInstanceOfSatisfying(IdempotencyGuard.Stop.class, s -> assertThat(s.verdict())
                .isEqualTo(new Verdict.Rejected(FailureKind.EXHAUSTED, "AttemptsExhausted",
                        "all 3 attempts were used before this delivery",
                        dev.sluice.core.internal.ErrorFingerprint.of("AttemptsExhausted"), 3, T0)));
    }

    @Test
    void aStoreOutage_stopsTheMessage_withoutUsingAnAttempt() {
        IdempotencyGuard down = guard(new IdempotencyStore() {
            @Override
            public BeginResult begin(BeginRequest request) {
                throw new IllegalStateException("unreachable");
            }

            @Override
            public void complete(BeginResult.Acquired lease, Instant expiresAt, IdempotencyTransaction transaction) {}

            @Override
            public void release(BeginResult.Acquired lease, Release release) {}
        });

        assertThat(down.enter(order("o-6", 1), payload("o-6"), "o-6", 2))
                .isEqualTo(new IdempotencyGuard.Stop(new Verdict.StoreUnavailable(2)));
        assertThat(Hashes.sha256Hex(payload("o-6"))).isNotEmpty();
    }
}
