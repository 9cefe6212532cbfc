package dev.sluice.core.pipeline;

import dev.sluice.core.HandlerContext;
import dev.sluice.core.Message;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.MessageLogger;
import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.LogSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Fourth stage: runs the handler with its time limit. The handler runs on the calling (lane) thread;
 * when a limit applies, the {@link Watchdog} times it out, interrupts it and continues on a new thread,
 * so only a timeout costs a hand-off.
 */
final class HandlerInvocation<T> {
    /** Returned to the handler's thread when the watchdog timed the call out and took over. */
    static final Throwable ABANDONED = new Throwable("abandoned", null, false, false) {
        private static final long serialVersionUID = 1L;
    };

    // without a deadline or a handler timeout nothing needs watching
    private static final Duration NO_LIMIT = Duration.ofDays(1);

    private final MessageHandler<T> handler;
    private final @Nullable Duration handlerTimeout;
    private final Duration safetyMargin;
    private final Clock clock;
    private final Telemetry telemetry;
    private final Watchdog watchdog;

    HandlerInvocation(MessageHandler<T> handler, @Nullable Duration handlerTimeout, Duration safetyMargin, Clock clock,
                      Telemetry telemetry, String queueName) {
        this.handler = handler;
        this.handlerTimeout = handlerTimeout;
        this.safetyMargin = safetyMargin;
        this.clock = clock;
        this.telemetry = telemetry;
        this.watchdog = new Watchdog(queueName);
    }

    /**
     * Runs the handler.
     *
     * @param remaining the invocation time left
     * @param onTimeout what the watchdog's thread does when the limit passes first
     * @return null on success, the handler's failure, or {@link #ABANDONED} when {@code onTimeout} took over
     */
    @Nullable Throwable invoke(Message<T> message, HandlerContext context, Duration remaining, Runnable onTimeout) {
        Duration limit = remaining.minus(safetyMargin.dividedBy(2));
        if (handlerTimeout != null && handlerTimeout.compareTo(limit) < 0) {
            limit = handlerTimeout;
        }
        limit = limit.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : limit;
        Instant started = clock.instant();
        Watchdog.Call call = limit.compareTo(NO_LIMIT) >= 0 ? null : watchdog.watch(limit.toNanos(), () -> {
            telemetry.handlerDuration(Duration.between(started, clock.instant()));
            onTimeout.run();
        });
        Throwable failure;
        try {
            handler.handle(message, context);
            failure = null;
        } catch (Throwable t) {
            failure = t;
        }
        if (call != null && !call.finish()) {
            return ABANDONED;
        }
        // the lane's thread runs the next message: no interrupt a handler left behind may leak into it
        Thread.interrupted();
        telemetry.handlerDuration(Duration.between(started, clock.instant()));
        return failure;
    }

    /** What the handler may know: the invocation's time, its attempt, its logger, its transaction. */
    static final class Context implements HandlerContext {
        private final Supplier<Duration> remaining;
        private final int attempt;
        private final @Nullable IdempotencyTransaction transaction;
        private final IncomingMessage message;
        private final StructuredLog log;
        // made on first use: most handlers never log
        private @Nullable MessageLogger logger;

        Context(Supplier<Duration> remaining, int attempt, IncomingMessage message, @Nullable IdempotencyTransaction transaction,
                StructuredLog log) {
            this.remaining = remaining;
            this.attempt = attempt;
            this.transaction = transaction;
            this.message = message;
            this.log = log;
        }

        @Override
        public Duration remainingTime() {
            return remaining.get();
        }

        @Override
        public int attempt() {
            return attempt;
        }

        @Override
        public synchronized MessageLogger logger() {
            if (logger == null) {
                logger = new ContextLogger(log.with(Telemetry.withAttempt(message, attempt)));
            }
            return logger;
        }

        @Override
        public <X extends IdempotencyTransaction> X transaction(Class<X> type) {
            if (transaction == null) {
                throw new IllegalStateException("transaction() is available in TRANSACTIONAL idempotency mode only");
            }
            if (!type.isInstance(transaction)) {
                throw new IllegalStateException("the store's transaction is a " + transaction.getClass().getName()
                        + ", not a " + type.getName());
            }
            return type.cast(transaction);
        }
    }

    private record ContextLogger(StructuredLog log) implements MessageLogger {
        @Override
        public void info(String message, Map<String, ?> fields) {
            log.log(LogSink.Level.INFO, message, fields, null);
        }

        @Override
        public void warn(String message, Map<String, ?> fields, @Nullable Throwable error) {
            log.log(LogSink.Level.WARN, message, fields, error);
        }

        @Override
        public void error(String message, Map<String, ?> fields, @Nullable Throwable error) {
            log.log(LogSink.Level.ERROR, message, fields, error);
        }
    }
}
