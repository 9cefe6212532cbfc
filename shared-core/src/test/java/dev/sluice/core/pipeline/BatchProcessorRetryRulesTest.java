package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.QUEUE;
import static dev.sluice.core.testing.TestMessages.order;
import static dev.sluice.core.testing.TestMessages.orderJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.RetryLaterException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import dev.sluice.core.testing.MutableClock;
import dev.sluice.core.testing.TestMessages.Order;
import dev.sluice.core.testing.TestMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The retry rules through the pipeline: a handler's own retry delay, and the warm instance's circuit breaker. */
class BatchProcessorRetryRulesTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Duration OPEN = Duration.ofSeconds(45);

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryMetrics metrics = new InMemoryMetrics();

    private BatchProcessor.Builder<Order> builder(MessageHandler<Order> handler) {
        return BatchProcessor.<Order>builder()
                .queueName(QUEUE)
                .handler(handler)
                .codec(JsonCodec.of(Order.class))
                .retryPolicy(RetryPolicy.exponential(3, Duration.ofSeconds(1), Duration.ofMinutes(1)))
                .clock(clock)
                .random(RandomGenerator.of("L64X128MixRandom"))
                .metrics(metrics)
                .logSink(event -> { });
    }

    private BatchResult run(BatchProcessor<Order> processor, IncomingMessage... messages) {
        return processor.process(List.of(messages), clock.instant().plus(Duration.ofMinutes(5)));
    }

    private static IncomingMessage delivery(String id, int deliveryCount) {
        return IncomingMessage.builder().providerMessageId(id).body(orderJson(id, 1)).deliveryCount(deliveryCount)
                .sourceQueue(QUEUE).build();
    }

    @Nested
    class RetryLater {
        private final BatchProcessor<Order> processor = builder((m, c) -> {
            throw new RetryLaterException("payments answered 429", Duration.ofSeconds(90));
        }).build();

        @Test
        void requestedDelay_replacesTheBackoff_andUsesAnAttempt() {
            // WHEN the handler asks to come back in 90 s
            Retry retry = (Retry) run(processor, order("rl-1", 1)).outcomes().get(0);

            // THEN the retry carries exactly that delay, as attempt 1, told apart by its reason
            assertThat(retry.delay()).isEqualTo(Duration.ofSeconds(90));
            assertThat(retry.reason()).isEqualTo(RetryReason.RETRY_LATER);
            assertThat(retry.reason().started()).isTrue();
            assertThat(retry.attemptsUsed()).isEqualTo(1);
            assertThat(metrics.total(SluiceMetrics.RETRY_ATTEMPTS)).isEqualTo(1);
        }

        @Test
        void delayLongerThanAnyProvidersLimit_isPassedOnUnchanged_forTheAdapterToClamp() {
            BatchProcessor<Order> patient = builder((m, c) -> {
                throw new RetryLaterException(Duration.ofHours(30));
            }).build();

            Retry retry = (Retry) run(patient, order("rl-2", 1)).outcomes().get(0);

            assertThat(retry.delay()).isEqualTo(Duration.ofHours(30));
        }

        @Test
        void onTheLastAttempt_isExhausted() {
            // WHEN the third delivery asks for another delay
            MessageOutcome last = run(processor, delivery("rl-3", 3)).outcomes().get(0);

            // THEN attempts ran out: EXHAUSTED like any retryable failure
            assertThat(last).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.EXHAUSTED);
                assertThat(d.envelope().attempts()).isEqualTo(3);
                assertThat(d.envelope().errorType()).isEqualTo(RetryLaterException.class.getName());
            });
        }

        @Test
        void withAStore_eachRequestCountsAsAnExecution_untilExhausted() {
            // GIVEN attempts counted in the idempotency record
            BatchProcessor<Order> counted = builder((m, c) -> {
                throw new RetryLaterException(Duration.ofSeconds(90));
            }).idempotency(IdempotencyOptions.builder().store(new InMemoryIdempotencyStore()).build()).build();

            // WHEN the same message is delivered three times
            Retry first = (Retry) run(counted, delivery("rl-5", 1)).outcomes().get(0);
            Retry second = (Retry) run(counted, delivery("rl-5", 2)).outcomes().get(0);
            MessageOutcome third = run(counted, delivery("rl-5", 3)).outcomes().get(0);

            // THEN the first two wait 90 s each, and the third execution exhausts it
            assertThat(List.of(first, second)).allSatisfy(r -> assertThat(r.delay()).isEqualTo(Duration.ofSeconds(90)));
            assertThat(second.attemptsUsed()).isEqualTo(2);
            assertThat(third).isInstanceOfSatisfying(DeadLettered.class, d -> {
                assertThat(d.kind()).isEqualTo(FailureKind.EXHAUSTED);
                assertThat(d.envelope().attempts()).isEqualTo(3);
            });
        }

        @Test
        void wrappedAsACause_isStillHonoured() {
            BatchProcessor<Order> wrapping = builder((m, c) -> {
                throw new IllegalStateException("client failed", new RetryLaterException(Duration.ofSeconds(7)));
            }).build();

            Retry retry = (Retry) run(wrapping, order("rl-4", 1)).outcomes().get(0);

            assertThat(retry.delay()).isEqualTo(Duration.ofSeconds(7));
            assertThat(retry.reason()).isEqualTo(RetryReason.RETRY_LATER);
        }

        @Test
        void doesNotCountTowardsTheBreaker() {
            // GIVEN a breaker at 2 and a handler that keeps asking for a delay
            AtomicInteger calls = new AtomicInteger();
            BatchProcessor<Order> throttled = builder((m, c) -> {
                calls.incrementAndGet();
                throw new RetryLaterException(Duration.ofSeconds(5));
            }).concurrency(1).circuitBreaker(2, OPEN).build();

            // WHEN five messages run
            BatchResult result = run(throttled, order("t1", 1), order("t2", 1), order("t3", 1), order("t4", 1), order("t5", 1));

            // THEN every handler ran: the downstream answered, the breaker stayed closed
            assertThat(calls).hasValue(5);
            assertThat(result.retries()).allSatisfy(r -> assertThat(r.reason()).isEqualTo(RetryReason.RETRY_LATER));
        }
    }

    @Nested
    class WarmInstanceBreaker {
        private final AtomicBoolean downstreamUp = new AtomicBoolean(false);
        private final AtomicInteger calls = new AtomicInteger();
        private final BatchProcessor<Order> processor = builder((m, c) -> {
            calls.incrementAndGet();
            if (!downstreamUp.get()) {
                throw new IllegalStateException("downstream 503");
            }
        }).concurrency(1).circuitBreaker(3, OPEN).build();

        private void openIt() {
            run(processor, order("a1", 1), order("a2", 1));
            run(processor, order("b1", 1));
            calls.set(0);
        }

        @Test
        void opensAfterConsecutiveFailures_acrossTwoInvocations() {
            // GIVEN two failures in one invocation
            run(processor, order("a1", 1), order("a2", 1));

            // WHEN the next invocation brings three more
            BatchResult second = run(processor, order("b1", 1), order("b2", 1), order("b3", 1));

            // THEN the third failure overall opened it: the second invocation ran only one handler
            assertThat(calls).hasValue(3);
            assertThat(second.retries()).extracting(Retry::reason)
                    .containsExactlyInAnyOrder(RetryReason.FAILED, RetryReason.CIRCUIT_OPEN, RetryReason.CIRCUIT_OPEN);
        }

        @Test
        void whileOpen_noHandlerRuns_andNoAttemptIsUsed() {
            // GIVEN an open breaker
            openIt();

            // WHEN a later invocation brings a message on its second delivery
            Retry retry = (Retry) run(processor, delivery("c1", 2)).outcomes().get(0);

            // THEN it returns after the open delay, unstarted, with only its earlier attempt used
            assertThat(calls).hasValue(0);
            assertThat(retry.reason()).isEqualTo(RetryReason.CIRCUIT_OPEN);
            assertThat(retry.reason().started()).isFalse();
            assertThat(retry.delay()).isEqualTo(OPEN);
            assertThat(retry.attemptsUsed()).isEqualTo(1);
        }

        @Test
        void afterTheOpenDelay_oneProbeRuns_andItsSuccessCloses() {
            // GIVEN an open breaker whose delay has passed, and a recovered downstream
            openIt();
            clock.advance(OPEN);
            downstreamUp.set(true);

            // WHEN a batch of three arrives
            BatchResult probing = run(processor, order("p1", 1), order("p2", 1), order("p3", 1));

            // THEN the probe ran and closed the breaker, so the rest ran too; the next batch runs normally
            assertThat(probing.outcomes()).allSatisfy(o -> assertThat(o).isInstanceOf(Processed.class));
            assertThat(run(processor, order("n1", 1)).outcomes()).singleElement().isInstanceOf(Processed.class);
            assertThat(calls).hasValue(4);
        }

        @Test
        void afterTheOpenDelay_aFailedProbeReopens() {
            // GIVEN an open breaker whose delay has passed, and a downstream still down
            openIt();
            clock.advance(OPEN);

            // WHEN a batch of three arrives
            BatchResult probing = run(processor, order("p1", 1), order("p2", 1), order("p3", 1));

            // THEN only the probe ran; its failure re-opened the breaker for the others
            assertThat(calls).hasValue(1);
            assertThat(probing.retries()).extracting(Retry::reason)
                    .containsExactlyInAnyOrder(RetryReason.FAILED, RetryReason.CIRCUIT_OPEN, RetryReason.CIRCUIT_OPEN);
        }

        @Test
        void handlerTimeouts_countAsFailures() {
            // GIVEN a breaker at 2 and a handler that never finishes within its 50 ms limit
            AtomicInteger started = new AtomicInteger();
            BatchProcessor<Order> stuck = builder((m, c) -> {
                started.incrementAndGet();
                Thread.sleep(Duration.ofMinutes(1));
            }).concurrency(1).handlerTimeout(Duration.ofMillis(50)).circuitBreaker(2, OPEN).build();

            // WHEN two invocations time out, and a third message arrives
            run(stuck, order("s1", 1));
            run(stuck, order("s2", 1));
            Retry third = (Retry) run(stuck, order("s3", 1)).outcomes().get(0);

            // THEN the breaker is open: the third handler never started
            assertThat(started).hasValue(2);
            assertThat(third.reason()).isEqualTo(RetryReason.CIRCUIT_OPEN);
        }

        @Test
        void permanentAndPoisonFailures_doNotOpenIt() {
            // GIVEN a breaker at 2 and a handler that rejects every order permanently
            AtomicInteger ran = new AtomicInteger();
            BatchProcessor<Order> strict = builder((m, c) -> {
                ran.incrementAndGet();
                throw new PermanentFailureException("closed account");
            }).concurrency(1).circuitBreaker(2, OPEN).build();

            // WHEN permanent failures and undecodable bodies follow each other
            BatchResult result = run(strict, order("x1", 1), TestMessages.message("bad", "{", null, java.util.Map.of()),
                    order("x2", 1), order("x3", 1));

            // THEN every message reached its verdict: nothing was turned away
            assertThat(ran).hasValue(3);
            assertThat(result.deadLetters()).extracting(DeadLettered::kind).containsExactly(
                    FailureKind.PERMANENT, FailureKind.POISON, FailureKind.PERMANENT, FailureKind.PERMANENT);
        }

        @Test
        void fromConfiguration_thresholdZeroTurnsItOff() {
            BatchProcessor<Order> off = builder((m, c) -> {
                calls.incrementAndGet();
                throw new IllegalStateException("down");
            }).config(SluiceConfig.builder().queueName(QUEUE).circuitBreakerThreshold(0).build()).concurrency(1).build();

            run(off, order("o1", 1), order("o2", 1), order("o3", 1), order("o4", 1), order("o5", 1), order("o6", 1));

            assertThat(calls).hasValue(6);
        }
    }
}
