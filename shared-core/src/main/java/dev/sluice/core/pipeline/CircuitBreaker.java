package dev.sluice.core.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A circuit breaker that lives as long as its pipeline, so on a warm function instance it spans
 * invocations. <b>Closed</b>: every message runs; {@code threshold} consecutive failures open it.
 * <b>Open</b>: nothing runs until {@code openDelay} has passed. <b>Half-open</b>: exactly one probe
 * runs; its success closes the breaker, its failure opens it again, and a probe that ends without a
 * verdict (the message turned out to be a duplicate, poison, a permanent failure...) lets the next
 * message be the probe.
 *
 * <p>Callers take a {@link Permit} per message and report through it; a permit reports at most once,
 * and {@link Permit#release()} (in a {@code finally}) ends one that gave no verdict. Results of permits
 * taken while closed are ignored once the breaker has opened: only the probe decides in half-open.
 * A threshold of 0 disables the breaker. Thread-safe.
 */
final class CircuitBreaker {
    /** The breaker's states. */
    public enum State {
        /** Messages run. */
        CLOSED,
        /** Messages are turned away until the open delay has passed. */
        OPEN,
        /** One probe runs; the others are turned away. */
        HALF_OPEN
    }

    private enum Kind { NORMAL, PROBE, REJECTED }

    private static final Permit REJECTED = new Permit(null, Kind.REJECTED);
    private static final Permit UNGUARDED = new Permit(null, Kind.NORMAL);

    private final int threshold;
    private final Duration openDelay;
    private final Clock clock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openedAt = Instant.MIN;
    private boolean probeOut;

    /**
     * @param threshold consecutive failures that open the breaker; 0 disables it
     * @param openDelay how long it stays open before a probe may run
     * @param clock the clock
     */
    public CircuitBreaker(int threshold, Duration openDelay, Clock clock) {
        if (threshold < 0) {
            throw new IllegalArgumentException("threshold must not be negative, got " + threshold);
        }
        Objects.requireNonNull(openDelay, "openDelay");
        if (openDelay.isNegative()) {
            throw new IllegalArgumentException("openDelay must not be negative, got " + openDelay);
        }
        this.threshold = threshold;
        this.openDelay = openDelay;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @return how long messages turned away should wait */
    public Duration openDelay() {
        return openDelay;
    }

    /** @return the current state (an open breaker whose delay has passed reports half-open) */
    public synchronized State state() {
        advance();
        return state;
    }

    /**
     * @return a permit: {@link Permit#admitted()} says whether the message may run; a half-open breaker
     *     admits one probe at a time
     */
    public Permit tryAcquire() {
        if (threshold == 0) {
            return UNGUARDED;
        }
        synchronized (this) {
            advance();
            switch (state) {
                case CLOSED -> {
                    return new Permit(this, Kind.NORMAL);
                }
                case HALF_OPEN -> {
                    if (!probeOut) {
                        probeOut = true;
                        return new Permit(this, Kind.PROBE);
                    }
                    return REJECTED;
                }
                default -> {
                    return REJECTED;
                }
            }
        }
    }

    private void advance() {
        if (state == State.OPEN && !clock.instant().isBefore(openedAt.plus(openDelay))) {
            state = State.HALF_OPEN;
        }
    }

    private synchronized void report(Kind kind, Verdict verdict) {
        if (kind == Kind.PROBE) {
            probeOut = false;
            switch (verdict) {
                case SUCCESS -> close();
                case FAILURE -> open();
                case NONE -> { } // still half-open: the next message probes
            }
        } else if (state == State.CLOSED) {
            switch (verdict) {
                case SUCCESS -> consecutiveFailures = 0;
                case FAILURE -> {
                    if (++consecutiveFailures >= threshold) {
                        open();
                    }
                }
                case NONE -> { }
            }
        }
    }

    private void close() {
        state = State.CLOSED;
        consecutiveFailures = 0;
    }

    private void open() {
        state = State.OPEN;
        openedAt = clock.instant();
        consecutiveFailures = 0;
    }

    private enum Verdict { SUCCESS, FAILURE, NONE }

    /** The right to run one message, and the channel for its result. Used by one thread. */
    public static final class Permit {
        private final @Nullable CircuitBreaker breaker;
        private final Kind kind;
        private boolean reported;

        private Permit(@Nullable CircuitBreaker breaker, Kind kind) {
            this.breaker = breaker;
            this.kind = kind;
        }

        /** @return whether the message may run */
        public boolean admitted() {
            return kind != Kind.REJECTED;
        }

        /** @return whether this permit is half-open's single probe */
        public boolean probe() {
            return kind == Kind.PROBE;
        }

        /** The handler succeeded: resets the failure count, or closes a half-open breaker. */
        public void succeeded() {
            report(Verdict.SUCCESS);
        }

        /** The handler failed in a way that counts (retryable failure or timeout). */
        public void failed() {
            report(Verdict.FAILURE);
        }

        /** Ends the permit; without an earlier verdict it counts neither way. */
        public void release() {
            report(Verdict.NONE);
        }

        private void report(Verdict verdict) {
            if (reported || breaker == null) {
                return;
            }
            reported = true;
            breaker.report(kind, verdict);
        }
    }
}
