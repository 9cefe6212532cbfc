package dev.sluice.core.pipeline;

import dev.sluice.core.internal.Lanes;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import dev.sluice.core.spi.LogSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Schedules a batch: splits it into lanes (a group's messages in order, each ungrouped message alone),
 * and runs them on at most {@code concurrency} virtual threads, each taking one lane at a time, a
 * lane's messages one after another on the same thread. After a group's first retry its later
 * messages return unstarted with that retry's delay. The deadline and the circuit breaker are applied
 * per message by {@link MessageFlow}.
 */
final class BatchScheduler<T> {
    private final MessageFlow<T> flow;
    private final int concurrency;
    private final Clock clock;
    private final Telemetry telemetry;
    private final String threadPrefix;
    private final Traces traces;

    BatchScheduler(MessageFlow<T> flow, int concurrency, Clock clock, Telemetry telemetry, String queueName, Traces traces) {
        this.flow = flow;
        this.traces = traces;
        this.concurrency = concurrency;
        this.clock = clock;
        this.telemetry = telemetry;
        this.threadPrefix = "sluice-" + queueName + "-";
    }

    BatchResult process(List<IncomingMessage> messages, Instant deadline, String system) {
        Span batchSpan = traces.startBatch(system, messages.size());
        Batch batch = new Batch(messages, Lanes.of(messages.size(), i -> messages.get(i).groupKey()), deadline, system,
                Context.current().with(batchSpan));
        int workers = Math.min(concurrency, batch.lanes.size());
        for (int i = 0; i < workers; i++) {
            Thread.ofVirtual().name(threadPrefix + i).start(batch::work);
        }
        MessageOutcome[] outcomes = new MessageOutcome[messages.size()];
        for (int lane = 0; lane < batch.lanes.size(); lane++) {
            for (Indexed done : batch.collect(lane)) {
                outcomes[done.index()] = done.outcome();
            }
        }
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                // unreachable by construction; kept so a bug can never drop a message
                outcomes[i] = unstarted(messages.get(i), Duration.ZERO);
            }
        }
        List<SpanContext> spanContexts = new ArrayList<>(outcomes.length);
        for (int i = 0; i < outcomes.length; i++) {
            Span span = batch.spans[i];
            if (span == null || !batch.ended[i]) {
                // a lane that failed (or a bug) left this message without an ended span: it gets one for its outcome
                span = span != null ? span : traces.startMessage(system, messages.get(i), batch.context);
                Traces.end(span, outcomes[i]);
            }
            spanContexts.add(span.getSpanContext());
        }
        batchSpan.end();
        telemetry.flush();
        return new BatchResult(Arrays.asList(outcomes), spanContexts);
    }

    private MessageOutcome unstarted(IncomingMessage message, Duration delay) {
        return flow.outcomes().of(message, new Verdict.NotStarted(RetryReason.FAILED, delay));
    }

    private record Indexed(int index, MessageOutcome outcome) {}

    /** A lane's progress; handed from one thread to the next when a handler times out, never shared. */
    private static final class LaneState {
        final int lane;
        final List<Indexed> done = new ArrayList<>();
        @Nullable Retry blockedBy;

        LaneState(int lane) {
            this.lane = lane;
        }
    }

    /** One batch's lanes and their results, each lane's delivered through its own future. */
    private final class Batch {
        final List<IncomingMessage> messages;
        final List<List<Integer>> lanes;
        final Instant deadline;
        final AtomicInteger nextLane = new AtomicInteger();
        final List<CompletableFuture<List<Indexed>>> results;
        final String system;
        final Context context;
        // written by a lane's thread, read after its future completed
        final Span[] spans;
        final boolean[] ended;

        Batch(List<IncomingMessage> messages, List<List<Integer>> lanes, Instant deadline, String system, Context context) {
            this.messages = messages;
            this.lanes = lanes;
            this.deadline = deadline;
            this.system = system;
            this.context = context;
            this.spans = new Span[messages.size()];
            this.ended = new boolean[messages.size()];
            this.results = new ArrayList<>(lanes.size());
            for (int i = 0; i < lanes.size(); i++) {
                results.add(new CompletableFuture<>());
            }
        }

        Duration remaining() {
            Instant now = clock.instant();
            return now.isAfter(deadline) ? Duration.ZERO : Duration.between(now, deadline);
        }

        /** A worker: takes lanes until none is left, or until a timed-out handler hands its place to another thread. */
        void work() {
            for (int lane = nextLane.getAndIncrement(); lane < lanes.size(); lane = nextLane.getAndIncrement()) {
                if (!runLane(new LaneState(lane), 0)) {
                    return;
                }
            }
        }

        /** @return false when this thread gave the lane (and its place as a worker) to the watchdog's thread */
        private boolean runLane(LaneState state, int from) {
            List<Integer> lane = lanes.get(state.lane);
            try {
                for (int position = from; position < lane.size(); position++) {
                    int index = lane.get(position);
                    IncomingMessage message = messages.get(index);
                    Span span = traces.startMessage(system, message, context);
                    spans[index] = span;
                    Verdict verdict;
                    if (state.blockedBy != null) {
                        verdict = new Verdict.NotStarted(RetryReason.GROUP_BLOCKED, state.blockedBy.delay());
                    } else {
                        int next = position + 1;
                        try (Scope ignored = span.makeCurrent()) {
                            verdict = flow.run(message, this::remaining, late -> resume(state, next, late));
                        }
                        if (verdict == null) {
                            return false;
                        }
                    }
                    settle(state, position, verdict);
                }
                results.get(state.lane).complete(state.done);
            } catch (Throwable t) {
                results.get(state.lane).completeExceptionally(t);
            }
            return true;
        }

        /** On the watchdog's thread: settles the timed-out message, then goes on with its lane and as a worker. */
        private void resume(LaneState state, int next, Verdict timedOut) {
            try {
                settle(state, next - 1, timedOut);
            } catch (Throwable t) {
                results.get(state.lane).completeExceptionally(t);
                work();
                return;
            }
            if (runLane(state, next)) {
                work();
            }
        }

        private void settle(LaneState state, int position, Verdict verdict) {
            int index = lanes.get(state.lane).get(position);
            MessageOutcome outcome = flow.outcomes().of(messages.get(index), verdict);
            if (state.blockedBy == null && outcome instanceof Retry retry) {
                state.blockedBy = retry;
            }
            Span span = spans[index];
            if (span != null) {
                Traces.end(span, outcome);
                ended[index] = true;
            }
            telemetry.record(outcome);
            state.done.add(new Indexed(index, outcome));
        }

        List<Indexed> collect(int lane) {
            try {
                return results.get(lane).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                telemetry.log(LogSink.Level.ERROR, "lane failed", Map.of("operation", "pipeline"), e.getCause());
            }
            return lanes.get(lane).stream().map(i -> new Indexed(i, unstarted(messages.get(i), Duration.ZERO))).toList();
        }
    }
}
