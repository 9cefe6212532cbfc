package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.QUEUE;
import static dev.sluice.core.testing.TestMessages.order;
import static dev.sluice.core.testing.TestMessages.orderJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.RetryLaterException;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Duplicate;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import dev.sluice.core.testing.MutableClock;
import dev.sluice.core.testing.TestMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class OutcomeStageTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration BASE = Duration.ofSeconds(1);

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryMetrics metrics = new InMemoryMetrics();
    private final OutcomeStage stage = new OutcomeStage(RetryPolicy.exponential(3, BASE, Duration.ofMinutes(1)),
            FailureClassifier.defaults(), RandomGenerator.of("L64X128MixRandom"), clock,
            new Telemetry(QUEUE, metrics, event -> { }));
    private final IncomingMessage message = order("o-1", 1);

    @Test
    void aHandlerThatReturned_isProcessed_andAKnownDuplicateIsDuplicate() {
        assertThat(stage.of(message, new Verdict.Ran(1, null, null))).isEqualTo(new Processed(message));
        assertThat(stage.of(message, new Verdict.AlreadyDone())).isEqualTo(new Duplicate(message));
    }

    @Test
    void aRetryableFailure_isRetriedAfterTheJitteredBackoff_andOnTheLastAttemptIsExhausted() {
        Retry retry = (Retry) stage.of(message, new Verdict.Ran(1, new IllegalStateException("down"), null));
        MessageOutcome last = stage.of(message, new Verdict.Ran(3, new IllegalStateException("down"), T0.minusSeconds(60)));

        assertThat(retry.reason()).isEqualTo(RetryReason.FAILED);
        assertThat(retry.delay()).isBetween(Duration.ZERO, BASE);
        assertThat(retry.attemptsUsed()).isEqualTo(1);
        assertThat(retry.firstFailureAt()).isEqualTo(T0);
        assertThat(last).isInstanceOfSatisfying(DeadLettered.class, d -> {
            assertThat(d.kind()).isEqualTo(FailureKind.EXHAUSTED);
            assertThat(d.envelope().attempts()).isEqualTo(3);
            assertThat(d.envelope().firstFailureAt()).isEqualTo(T0.minusSeconds(60));
        });
        assertThat(metrics.total(SluiceMetrics.RETRY_ATTEMPTS)).isEqualTo(1);
    }

    @Test
    void aPermanentFailure_isDeadLetteredAtOnce() {
        assertThat(stage.of(message, new Verdict.Ran(1, new PermanentFailureException("closed"), null)))
                .isInstanceOfSatisfying(DeadLettered.class, d -> {
                    assertThat(d.kind()).isEqualTo(FailureKind.PERMANENT);
                    assertThat(d.reason()).isEqualTo("closed");
                    assertThat(d.envelope().lastFailureAt()).isEqualTo(T0);
                });
        assertThat(stage.countsAgainstBreaker(new PermanentFailureException("closed"))).isFalse();
    }

    @Test
    void aRequestedDelay_replacesTheBackoff_andDoesNotCountAgainstTheBreaker() {
        RetryLaterException later = new RetryLaterException(Duration.ofSeconds(90));

        assertThat(stage.of(message, new Verdict.Ran(1, later, null))).isInstanceOfSatisfying(Retry.class, r -> {
            assertThat(r.reason()).isEqualTo(RetryReason.RETRY_LATER);
            assertThat(r.delay()).isEqualTo(Duration.ofSeconds(90));
        });
        assertThat(stage.countsAgainstBreaker(later)).isFalse();
        assertThat(stage.countsAgainstBreaker(new IllegalStateException("down"))).isTrue();
    }

    @Test
    void aTimeout_isRetried_andOnTheLastAttemptIsDeadLetteredAsTimeout() {
        assertThat(stage.of(message, new Verdict.TimedOut(1, null))).isInstanceOfSatisfying(Retry.class,
                r -> assertThat(r.reason()).isEqualTo(RetryReason.TIMED_OUT));
        assertThat(stage.of(message, new Verdict.TimedOut(3, null))).isInstanceOfSatisfying(DeadLettered.class,
                d -> assertThat(d.kind()).isEqualTo(FailureKind.TIMEOUT));
    }

    @Test
    void unstartedMessages_useNoAttempt_andKeepTheirDelay() {
        IncomingMessage third = IncomingMessage.builder().providerMessageId("o-2").body(orderJson("o-2", 1))
                .deliveryCount(3).sourceQueue(QUEUE).build();

        Retry blocked = (Retry) stage.of(third, new Verdict.NotStarted(RetryReason.GROUP_BLOCKED, Duration.ofSeconds(7)));

        assertThat(blocked.delay()).isEqualTo(Duration.ofSeconds(7));
        assertThat(blocked.attemptsUsed()).isEqualTo(2);
        assertThat(blocked.reason().started()).isFalse();
    }

    @Test
    void aTwinInProgress_isWaitedForNoLongerThanItsLeaseLapse_andAtLeastASecond() {
        Retry soon = (Retry) stage.of(message, new Verdict.TwinInProgress(5, Duration.ofSeconds(2), Duration.ofMinutes(2)));
        Retry lapsed = (Retry) stage.of(message, new Verdict.TwinInProgress(1, Duration.ZERO, Duration.ofMinutes(2)));

        assertThat(soon.delay()).isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(lapsed.delay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(soon.reason()).isEqualTo(RetryReason.IN_PROGRESS);
    }

    @Test
    void aRejectedMessage_isDeadLetteredWithItsKind() {
        assertThat(stage.of(message, new Verdict.Rejected(FailureKind.POISON, "x.Bad", "not json", "fp", 1, null)))
                .isInstanceOfSatisfying(DeadLettered.class, d -> {
                    assertThat(d.kind()).isEqualTo(FailureKind.POISON);
                    assertThat(d.envelope().errorFingerprint()).isEqualTo("fp");
                });
    }
}
