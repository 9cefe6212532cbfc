package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.local.PollResult;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.OrderEventsFunction;
import dev.sluice.aws.testing.Queues;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.RetryLaterException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.pipeline.BackoffStrategy;
import dev.sluice.core.pipeline.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequest;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;

/** The retry rules on SQS: a handler's requested delay becomes the visibility timeout, and the breaker's delay too. */
@ExtendWith(Engines.class)
class RetryLaterIT {
    /** Records every visibility timeout the consumer asks for. */
    private static final class VisibilityRecorder implements ExecutionInterceptor {
        final List<Integer> timeouts = new CopyOnWriteArrayList<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof ChangeMessageVisibilityBatchRequest batch) {
                batch.entries().stream().map(ChangeMessageVisibilityBatchRequestEntry::visibilityTimeout).forEach(timeouts::add);
            }
        }
    }

    private final VisibilityRecorder visibility = new VisibilityRecorder();
    private SqsClient sqs;

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs(), visibility);
    }

    @AfterEach
    void tearDown() {
        sqs.close();
    }

    private OrderEventsFunction function(Queues.Pair queue, SluiceConfig.Builder config, MessageHandler<Order> handler) {
        return new OrderEventsFunction(SqsBatchConsumer.builder(Order.class)
                .config(config.queueName(queue.name()).build())
                .sqsClient(sqs).handler(handler).metrics(new InMemoryMetrics()).logSink(event -> { })
                .snapStartPriming(false)
                // a fixed backoff, so a failed message stays hidden while the test looks
                .processor(p -> p.retryPolicy(new RetryPolicy(5, BackoffStrategy.fixed(Duration.ofMinutes(1)))))
                .build());
    }

    private PollResult pollOnce(Queues.Pair queue, OrderEventsFunction function) {
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function(function).build()) {
            return esm.pollOnce();
        }
    }

    private static String notVisible(SqsClient sqs, Queues.Pair queue) {
        return sqs.getQueueAttributes(r -> r.queueUrl(queue.url()).attributeNamesWithStrings("ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings().get("ApproximateNumberOfMessagesNotVisible");
    }

    @Test
    void aRequestedDelay_becomesTheVisibilityTimeout_notTheBackoff() {
        // GIVEN a handler answered 429 with Retry-After: 90, on a queue whose own visibility timeout is 2 s
        Queues.Pair queue = Queues.create(sqs, "retry-later", false, 2, 5);
        OrderEventsFunction function = function(queue, SluiceConfig.builder(), (m, c) -> {
            throw new RetryLaterException("payments answered 429", Duration.ofSeconds(90));
        });
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(Messages.order("o-1", "1")));

        // WHEN the batch is handled
        PollResult result = pollOnce(queue, function);

        // THEN the message is a batch item failure hidden for exactly the 90 s asked for
        assertThat(result.failed()).isEqualTo(1);
        assertThat(visibility.timeouts).containsExactly(90);
        assertThat(notVisible(sqs, queue)).isEqualTo("1");
    }

    @Test
    void aRequestedDelayBeyondTwelveHours_isClampedToSqsMaximum() {
        // GIVEN a handler that asks for 30 hours
        Queues.Pair queue = Queues.create(sqs, "retry-much-later", false, 2, 5);
        OrderEventsFunction function = function(queue, SluiceConfig.builder(), (m, c) -> {
            throw new RetryLaterException(Duration.ofHours(30));
        });
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(Messages.order("o-2", "2")));

        // WHEN the batch is handled
        PollResult result = pollOnce(queue, function);

        // THEN the visibility timeout is SQS's longest, 12 hours, and SQS accepted it
        assertThat(result.failed()).isEqualTo(1);
        assertThat(visibility.timeouts).containsExactly(43_200);
        assertThat(notVisible(sqs, queue)).isEqualTo("1");
    }

    @Test
    void anOpenBreaker_spansInvocations_andHidesMessagesForItsDelay_withoutRunningTheHandler() {
        // GIVEN a breaker at 2 that stays open for 120 s, and a broken downstream
        Queues.Pair queue = Queues.create(sqs, "breaker", false, 2, 5);
        AtomicInteger calls = new AtomicInteger();
        OrderEventsFunction function = function(queue,
                SluiceConfig.builder().circuitBreakerThreshold(2).circuitOpenDelay(Duration.ofSeconds(120)).concurrency(1),
                (m, c) -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("downstream 503");
                });
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(Messages.order("b-1", "1")));
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(Messages.order("b-2", "2")));
        for (int i = 0; i < 5 && calls.get() < 2; i++) {
            pollOnce(queue, function);
        }
        assertThat(calls).hasValue(2);
        visibility.timeouts.clear();

        // WHEN the next invocation of the same warm instance gets a new message
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(Messages.order("b-3", "3")));
        PollResult result = pollOnce(queue, function);

        // THEN its handler did not run, and the message is hidden for the open delay
        assertThat(calls).hasValue(2);
        assertThat(result.failed()).isEqualTo(1);
        assertThat(visibility.timeouts).containsExactly(120);
    }
}
