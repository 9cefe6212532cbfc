package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.order;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.HandlerContext;
import dev.sluice.core.Message;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.testing.TestMessages.Order;
import dev.sluice.core.testing.TestMessages;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HandlerInvocationTest {
    private final Telemetry telemetry = new Telemetry("orders", new InMemoryMetrics(), event -> { });
    private final Message<Order> message = Message.of(order("o-1", 1), new Order("o-1", 1));
    private final HandlerContext context = new HandlerInvocation.Context(() -> Duration.ofMinutes(1), 1, order("o-1", 1), null,
            telemetry.log());

    private HandlerInvocation<Order> invocation(MessageHandler<Order> handler, Duration timeout) {
        return new HandlerInvocation<>(handler, timeout, Duration.ofSeconds(2), Clock.systemUTC(), telemetry, "orders");
    }

    @Test
    void theHandlerRunsOnTheCallingThread_andItsResultIsReturned() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        IllegalStateException boom = new IllegalStateException("boom");

        Throwable ok = invocation((m, c) -> ranOn.set(Thread.currentThread()), Duration.ofMinutes(1))
                .invoke(message, context, Duration.ofMinutes(5), () -> { });
        Throwable failed = invocation((m, c) -> {
            throw boom;
        }, Duration.ofMinutes(1)).invoke(message, context, Duration.ofMinutes(5), () -> { });

        assertThat(ok).isNull();
        assertThat(ranOn).hasValue(Thread.currentThread());
        assertThat(failed).isSameAs(boom);
    }

    @Test
    void aHandlerOverItsLimit_isInterrupted_andTheRestContinuesOnAnotherThread() throws Exception {
        // GIVEN a handler that sleeps far beyond its 50 ms limit
        CountDownLatch interrupted = new CountDownLatch(1);
        CompletableFuture<Thread> continuedOn = new CompletableFuture<>();
        HandlerInvocation<Order> slow = invocation((m, c) -> {
            try {
                Thread.sleep(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        }, Duration.ofMillis(50));

        // WHEN it runs on a lane's thread
        CompletableFuture<Throwable> onLane = new CompletableFuture<>();
        Thread lane = Thread.ofVirtual().start(() -> onLane.complete(
                slow.invoke(message, context, Duration.ofMinutes(5), () -> continuedOn.complete(Thread.currentThread()))));

        // THEN the watchdog took over on a thread of its own, and the lane's thread only learns it was abandoned
        assertThat(continuedOn.get(10, TimeUnit.SECONDS)).isNotSameAs(lane);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(onLane.get(10, TimeUnit.SECONDS)).isSameAs(HandlerInvocation.ABANDONED);
    }

    @Test
    void theLimitIsTheInvocationsTimeLessHalfTheSafetyMargin_whenThatIsShorter() throws Exception {
        CompletableFuture<Boolean> timedOut = new CompletableFuture<>();
        HandlerInvocation<Order> slow = invocation((m, c) -> Thread.sleep(Duration.ofMinutes(1)), Duration.ofMinutes(1));

        Thread.ofVirtual().start(() -> slow.invoke(message, context, Duration.ofMillis(1050), () -> timedOut.complete(true)));

        assertThat(timedOut.get(10, TimeUnit.SECONDS)).isTrue();
    }
}
