package dev.sluice.core.pipeline;

import dev.sluice.core.HandlerContext;
import dev.sluice.core.spi.LogSink;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One message through the stages: admission, unwrap, idempotency guard, handler invocation; the
 * verdict then goes to {@link OutcomeStage}. Reports handler results to the circuit breaker.
 */
final class MessageFlow<T> {
    private final CircuitBreaker breaker;
    private final Admission admission;
    private final Unwrap<T> unwrap;
    private final IdempotencyGuard guard;
    private final HandlerInvocation<T> invocation;
    private final OutcomeStage outcomes;
    private final Telemetry telemetry;

    MessageFlow(CircuitBreaker breaker, Admission admission, Unwrap<T> unwrap, IdempotencyGuard guard,
                HandlerInvocation<T> invocation, OutcomeStage outcomes, Telemetry telemetry) {
        this.breaker = breaker;
        this.admission = admission;
        this.unwrap = unwrap;
        this.guard = guard;
        this.invocation = invocation;
        this.outcomes = outcomes;
        this.telemetry = telemetry;
    }

    OutcomeStage outcomes() {
        return outcomes;
    }

    /**
     * Runs the stages on the calling thread.
     *
     * @param remaining the invocation time left, read when needed
     * @param afterTimeout takes the verdict, on another thread, when the handler ran past its limit
     * @return the verdict, or null when the handler timed out and {@code afterTimeout} has taken over
     */
    @Nullable Verdict run(IncomingMessage message, Supplier<Duration> remaining, Consumer<Verdict> afterTimeout) {
        CircuitBreaker.Permit permit = breaker.tryAcquire();
        boolean handedOver = false;
        try {
            Optional<Verdict> refused = admission.admit(remaining.get(), permit);
            if (refused.isPresent()) {
                return refused.get();
            }
            int attempt = message.priorAttempts() + message.deliveryCount();
            Unwrap.Decoded<T> decoded;
            switch (unwrap.apply(message, attempt)) {
                case Unwrap.Refused<T> r -> {
                    return r.verdict();
                }
                case Unwrap.Missing<T> m -> {
                    // delivered again after its success deleted the payload: a duplicate, not poison
                    return guard.completedBefore(message, m.signed()).orElse(m.verdict());
                }
                case Unwrap.Unavailable<T> u -> {
                    // the handler did not run: no attempt is used, the message comes back after the backoff
                    telemetry.error(u.error().getClass().getName());
                    telemetry.log(LogSink.Level.WARN, "stored payload could not be read, will retry",
                            Telemetry.fields(message, "payload_get"), u.error());
                    return new Verdict.StoreUnavailable(attempt);
                }
                case Unwrap.Decoded<T> d -> decoded = d;
            }
            IdempotencyGuard.Leased leased = null;
            switch (guard.enter(message, decoded.payload(), decoded.key(), attempt)) {
                case IdempotencyGuard.Stop stop -> {
                    return stop.verdict();
                }
                case IdempotencyGuard.Leased l -> {
                    leased = l;
                    attempt = l.attempt();
                }
                case IdempotencyGuard.Unguarded u -> { }
            }
            IdempotencyGuard.Leased lease = leased;
            int executed = attempt;
            HandlerContext context = new HandlerInvocation.Context(remaining, attempt, message,
                    lease == null ? null : lease.transaction(), telemetry.log());
            Throwable failure = invocation.invoke(decoded.message(), context, remaining.get(), () -> {
                Verdict verdict;
                try {
                    verdict = timedOut(message, lease, executed, permit);
                } catch (Throwable t) {
                    verdict = crashed(message, t);
                } finally {
                    permit.release();
                }
                afterTimeout.accept(verdict);
            });
            if (failure == HandlerInvocation.ABANDONED) {
                handedOver = true;
                return null;
            }
            return finished(message, lease, executed, failure, permit);
        } catch (Throwable t) {
            return crashed(message, t);
        } finally {
            if (!handedOver) {
                permit.release();
            }
        }
    }

    private Verdict timedOut(IncomingMessage message, IdempotencyGuard.@Nullable Leased lease, int attempt,
                             CircuitBreaker.Permit permit) {
        permit.failed();
        if (lease == null) {
            return new Verdict.TimedOut(attempt, null);
        }
        guard.timedOut(message, lease);
        return new Verdict.TimedOut(attempt, lease.firstFailureAt());
    }

    private Verdict finished(IncomingMessage message, IdempotencyGuard.@Nullable Leased lease, int attempt,
                             @Nullable Throwable failure, CircuitBreaker.Permit permit) {
        if (failure == null) {
            Verdict verdict = lease == null ? new Verdict.Ran(attempt, null, null)
                    : guard.succeeded(message, lease);
            if (verdict instanceof Verdict.Ran) {
                permit.succeeded();
            }
            return verdict;
        }
        if (lease != null) {
            guard.failed(message, lease, outcomes.isPermanent(failure));
        }
        if (outcomes.countsAgainstBreaker(failure)) {
            permit.failed();
        }
        return new Verdict.Ran(attempt, failure, lease == null ? null : lease.firstFailureAt());
    }

    private Verdict crashed(IncomingMessage message, Throwable t) {
        // nothing escapes: a pipeline bug or a broken store becomes a retry, never a lost batch
        telemetry.log(LogSink.Level.ERROR, "unexpected pipeline failure", Telemetry.fields(message, "pipeline"), t);
        return new Verdict.Crashed(t);
    }
}
