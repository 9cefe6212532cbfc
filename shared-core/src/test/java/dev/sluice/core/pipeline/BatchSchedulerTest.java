package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.grouped;
import static dev.sluice.core.testing.TestMessages.order;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.MessageHandler;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.pipeline.MessageOutcome.RetryReason;
import dev.sluice.core.testing.TestMessages.Order;
import dev.sluice.core.testing.TestMessages;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The scheduler's threads: a lane's messages share one thread, and a timed-out handler hands its lane on. */
class BatchSchedulerTest {
    private final List<String> handled = new CopyOnWriteArrayList<>();

    private BatchProcessor<Order> processor(MessageHandler<Order> handler, int concurrency) {
        return BatchProcessor.<Order>builder().queueName(TestMessages.QUEUE).handler(handler).codec(JsonCodec.of(Order.class))
                .concurrency(concurrency).handlerTimeout(Duration.ofMillis(100)).logSink(event -> { }).build();
    }

    @Test
    void aGroupsMessagesRunOnOneThread_inOrder() {
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        BatchProcessor<Order> processor = processor((m, c) -> {
            threads.add(Thread.currentThread());
            handled.add(m.body().orderId());
        }, 4);

        BatchResult result = processor.process(List.of(grouped("g1", "G"), grouped("g2", "G"), grouped("g3", "G")),
                Instant.now().plusSeconds(60));

        assertThat(result.ofType(Processed.class)).hasSize(3);
        assertThat(handled).containsExactly("g1", "g2", "g3");
        assertThat(threads).hasSize(1).doesNotContain(Thread.currentThread());
    }

    @Test
    void aTimedOutHandler_doesNotHoldUpTheRestOfTheBatch_evenWithOneWorker() {
        // GIVEN one worker and a first message whose handler never returns in time
        BatchProcessor<Order> processor = processor((m, c) -> {
            if (m.body().orderId().equals("stuck")) {
                Thread.sleep(Duration.ofMinutes(1));
            }
            handled.add(m.body().orderId());
        }, 1);

        // WHEN the batch also holds its group's next message and two ungrouped ones
        long started = System.nanoTime();
        BatchResult result = processor.process(List.of(grouped("stuck", "G"), grouped("after", "G"), order("u1", 1),
                order("u2", 1)), Instant.now().plusSeconds(60));

        // THEN the batch ends soon after the limit: the stuck one timed out, its group's next was not run,
        // and the other lanes ran on the thread that took over
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(((Retry) result.outcomes().get(0)).reason()).isEqualTo(RetryReason.TIMED_OUT);
        assertThat(((Retry) result.outcomes().get(1)).reason()).isEqualTo(RetryReason.GROUP_BLOCKED);
        assertThat(result.outcomes().subList(2, 4)).allSatisfy(o -> assertThat(o).isInstanceOf(Processed.class));
        assertThat(handled).containsExactly("u1", "u2");
    }
}
