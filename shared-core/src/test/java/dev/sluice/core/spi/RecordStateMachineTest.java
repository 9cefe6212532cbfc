package dev.sluice.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.spi.RecordState.Status;
import dev.sluice.core.spi.RecordStateMachine.Acquire;
import dev.sluice.core.spi.RecordStateMachine.Refuse;
import dev.sluice.core.spi.RecordStateMachine.Write;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The record state machine alone: every row of the decision table, with no store. */
class RecordStateMachineTest {
    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final Instant PAST = NOW.minusSeconds(60);
    private static final Instant FUTURE = NOW.plusSeconds(60);
    private static final Instant FAILED_AT = NOW.minusSeconds(600);
    private static final String FP = "a".repeat(64);
    private static final String OTHER = "b".repeat(64);
    private static final BeginRequest REQUEST =
            new BeginRequest("k", FP, NOW, NOW.plus(Duration.ofMinutes(5)), NOW.plus(Duration.ofDays(1)));

    private static RecordState record(@Nullable String fingerprint, Status status, @Nullable Instant lease, Instant expires,
                                      int failures) {
        return new RecordState(fingerprint, status, lease, expires, failures, failures > 0 ? FAILED_AT : null);
    }

    /** existing record → expected write (for an acquisition) and prior failures, or the refusal. */
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("no record", null, Write.CREATE, 0, null),
                Arguments.of("expired completed, same payload", record(FP, Status.COMPLETED, PAST, NOW, 0), Write.REPLACE, 0, null),
                Arguments.of("expired with failures", record(FP, Status.IN_PROGRESS, PAST, PAST, 2), Write.REPLACE, 0, null),
                Arguments.of("expired, other payload", record(OTHER, Status.COMPLETED, PAST, PAST, 0), Write.REPLACE, 0, null),
                Arguments.of("released after 2 failures", record(FP, Status.IN_PROGRESS, PAST, FUTURE, 2), Write.TAKE_OVER, 2, null),
                Arguments.of("lease lapsed at now", record(FP, Status.IN_PROGRESS, NOW, FUTURE, 1), Write.TAKE_OVER, 1, null),
                Arguments.of("lapsed, other payload", record(OTHER, Status.IN_PROGRESS, PAST, FUTURE, 3), Write.REPLACE, 0, null),
                Arguments.of("lapsed, no comparable fingerprint", record(null, Status.IN_PROGRESS, PAST, FUTURE, 0), Write.REPLACE, 0,
                        null),
                Arguments.of("completed, other payload", record(OTHER, Status.COMPLETED, PAST, FUTURE, 0), null, 0,
                        new BeginResult.Mismatch("k", OTHER)),
                Arguments.of("live lease, other payload", record(OTHER, Status.IN_PROGRESS, FUTURE, FUTURE, 0), null, 0,
                        new BeginResult.Mismatch("k", OTHER)),
                Arguments.of("completed after failures", record(FP, Status.COMPLETED, PAST, FUTURE, 2), null, 0,
                        new BeginResult.AlreadyCompleted("k")),
                Arguments.of("completed, no comparable fingerprint", record(null, Status.COMPLETED, null, FUTURE, 0), null, 0,
                        new BeginResult.AlreadyCompleted("k")),
                Arguments.of("live lease", record(FP, Status.IN_PROGRESS, FUTURE, FUTURE.plusSeconds(60), 1), null, 0,
                        new BeginResult.InProgress("k", FUTURE)),
                Arguments.of("no lease: held until expiry", record(null, Status.IN_PROGRESS, null, FUTURE, 0), null, 0,
                        new BeginResult.InProgress("k", FUTURE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void begin_decidesByTheTable(String row, @Nullable RecordState existing, @Nullable Write write, int priorFailures,
                                 @Nullable BeginResult refusal) {
        RecordStateMachine.Decision decision = RecordStateMachine.begin(existing, REQUEST);

        if (write == null) {
            assertThat(decision).isEqualTo(new Refuse(refusal));
            return;
        }
        assertThat(decision).isInstanceOfSatisfying(Acquire.class, acquire -> {
            assertThat(acquire.write()).isEqualTo(write);
            assertThat(acquire.record()).isEqualTo(new RecordState(FP, Status.IN_PROGRESS, REQUEST.leaseExpiresAt(),
                    REQUEST.expiresAt(), priorFailures, priorFailures > 0 ? FAILED_AT : null));
            BeginResult.Acquired acquired = acquire.acquired("token");
            assertThat(acquired.priorFailures()).isEqualTo(priorFailures);
            assertThat(acquired.attempt()).isEqualTo(priorFailures + 1);
            assertThat(acquired.firstFailureAt()).isEqualTo(priorFailures > 0 ? FAILED_AT : null);
        });
    }

    @Test
    void failed_countsOne_keepsTheFirstFailure_andEndsTheLeaseNow() {
        BeginResult.Acquired first = new BeginResult.Acquired("k", FP, FUTURE, "t");
        BeginResult.Acquired third = new BeginResult.Acquired("k", FP, FUTURE, "t", 2, FAILED_AT);

        assertThat(RecordStateMachine.failed(first, NOW)).isEqualTo(new Release(1, NOW, NOW));
        assertThat(RecordStateMachine.failed(third, NOW)).isEqualTo(new Release(3, FAILED_AT, NOW));
    }

    @Test
    void failedHoldingLease_countsOne_butKeepsTheLease() {
        BeginResult.Acquired lease = new BeginResult.Acquired("k", FP, FUTURE, "t", 1, FAILED_AT);

        assertThat(RecordStateMachine.failedHoldingLease(lease, NOW)).isEqualTo(new Release(2, FAILED_AT, FUTURE));
    }

    @Test
    void released_countsNothing() {
        BeginResult.Acquired lease = new BeginResult.Acquired("k", FP, FUTURE, "t", 1, FAILED_AT);

        assertThat(RecordStateMachine.released(lease, NOW)).isEqualTo(new Release(1, FAILED_AT, NOW));
    }

    @Test
    void deadLettered_clearsTheCount_forARedrive() {
        assertThat(RecordStateMachine.deadLettered(NOW)).isEqualTo(new Release(0, null, NOW));
    }

    @Test
    void aCountWithoutItsTime_isReadAsNoFailures_andAcquiredRefusesOne() {
        assertThat(new RecordState(FP, Status.IN_PROGRESS, PAST, FUTURE, 3, null).failures()).isZero();
        assertThatThrownBy(() -> new BeginResult.Acquired("k", FP, FUTURE, "t", 1, null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
