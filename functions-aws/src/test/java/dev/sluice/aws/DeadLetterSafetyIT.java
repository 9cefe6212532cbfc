package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.local.PollResult;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.DeadLetterRefusal;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.OrderEventsFunction;
import dev.sluice.aws.testing.Queues;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.pipeline.RetryPolicy;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.InvalidAttributeValueException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Dead-lettering never fails because of what an error text contains (DESIGN section 7), on ElasticMQ. */
@ExtendWith(Engines.class)
class DeadLetterSafetyIT {
    private static final String REFUSE = "refuse-me";

    private final AtomicInteger invocations = new AtomicInteger();
    private final DeadLetterRefusal refusal = new DeadLetterRefusal(REFUSE);
    private SqsClient sqs;

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs(), refusal);
    }

    @AfterEach
    void tearDown() {
        sqs.close();
    }

    /** Rejects every order, quoting its id in the error, as a user's handler would. */
    private final MessageHandler<Order> rejectsOrders = (message, context) -> {
        invocations.incrementAndGet();
        throw new PermanentFailureException("negative amount for order " + message.body().orderId());
    };

    private SqsBatchConsumer.Builder<Order> consumer(Queues.Pair queue) {
        return SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName(queue.name()).maxAttempts(5).build())
                .sqsClient(sqs).handler(rejectsOrders).metrics(new InMemoryMetrics()).logSink(event -> { }).snapStartPriming(false);
    }

    private PollResult pollOnce(Queues.Pair queue, SqsBatchConsumer<Order> consumer) {
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function(new OrderEventsFunction(consumer)).maximumBatchingWindow(Duration.ofSeconds(1)).build()) {
            return esm.pollOnce();
        }
    }

    private void send(Queues.Pair queue, String body) {
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(body));
    }

    @Test
    void aPermanentFailureQuotingControlCharacters_landsInTheDlqWithItsEnvelope_afterOneInvocation() {
        // GIVEN an order whose id holds control characters (JSON escapes: legal in the body)
        Queues.Pair queue = Queues.create(sqs, "control-chars", false, 30, 5);
        send(queue, Messages.order("o-\\u0001\\u001b[2J", "-5"));
        // AND the engine refuses such characters in an attribute value, as SQS does
        assertThatThrownBy(() -> sqs.sendMessage(r -> r.queueUrl(queue.dlqUrl()).messageBody("x").messageAttributes(Map.of("probe",
                MessageAttributeValue.builder().dataType("String").stringValue("o-\u0001").build()))))
                .isInstanceOf(InvalidAttributeValueException.class);

        // WHEN the consumer handles it once
        PollResult result = pollOnce(queue, consumer(queue).build());

        // THEN the handler ran once, the message is done, and the dead letter carries its whole envelope
        assertThat(invocations).hasValue(1);
        assertThat(result.deleted()).isEqualTo(1);
        Message dead = single(queue.dlqUrl());
        assertThat(dead.body()).isEqualTo(Messages.order("o-\\u0001\\u001b[2J", "-5"));
        assertThat(text(dead)).containsEntry("sluice-failure-kind", "PERMANENT")
                .containsEntry("sluice-error-message", "negative amount for order o-\uFFFD\uFFFD[2J")
                .containsEntry("sluice-error-type", PermanentFailureException.class.getName())
                .containsEntry("sluice-attempts", "1")
                .containsKeys("sluice-error-fingerprint", "sluice-first-failure-at", "sluice-source-queue",
                        "sluice-original-message-id");
        assertThat(Queues.receiveAll(sqs, queue.url())).isEmpty();
    }

    @Test
    void aDeadLetterTheQueueRefuses_isSentAgainWithTheMinimalEnvelope_besideOneItAccepts() {
        // GIVEN two rejected orders in one batch; the queue refuses the first one's envelope, entry by entry
        Queues.Pair queue = Queues.create(sqs, "refused-entry", false, 30, 5);
        send(queue, Messages.order(REFUSE, "-1"));
        send(queue, Messages.order("o-plain", "-2"));

        // WHEN the consumer handles the batch
        PollResult result = pollOnce(queue, consumer(queue).build());

        // THEN both ran once and are done: the refused one arrives with kind, stable id and attempts only
        assertThat(invocations).hasValue(2);
        assertThat(result.deleted()).isEqualTo(2);
        List<Map<String, String>> dead = Queues.receiveAll(sqs, queue.dlqUrl()).stream().map(DeadLetterSafetyIT::text).toList();
        assertThat(dead).hasSize(2);
        assertThat(dead).filteredOn(a -> !a.containsKey("sluice-error-message")).singleElement().satisfies(minimal -> {
            assertThat(minimal).containsOnlyKeys("sluice-failure-kind", "sluice-original-message-id", "sluice-attempts")
                    .containsEntry("sluice-failure-kind", "PERMANENT").containsEntry("sluice-attempts", "1");
            // AND redrive's kind filter still reads it as a Sluice dead letter
            assertThat(DeadLetterEnvelope.fromAttributes(minimal, Instant.now())).map(DeadLetterEnvelope::failureKind)
                    .contains(FailureKind.PERMANENT);
        });
        assertThat(dead).filteredOn(a -> a.containsKey("sluice-error-message")).singleElement()
                .satisfies(full -> assertThat(full).containsEntry("sluice-error-message", "negative amount for order o-plain"));
        assertThat(refusal.sendBatches()).hasSize(2);
    }

    @Test
    void aDeadLetterWhoseSendIsRefusedAsAWhole_isSentAgainWithTheMinimalEnvelope() {
        // GIVEN one rejected order whose send the queue refuses with an InvalidAttributeValue error
        Queues.Pair queue = Queues.create(sqs, "refused-request", false, 30, 5);
        send(queue, Messages.order(REFUSE, "-1"));

        // WHEN the consumer handles it
        PollResult result = pollOnce(queue, consumer(queue).build());

        // THEN it is done after one invocation, dead-lettered with the minimal envelope: no retry loop
        assertThat(invocations).hasValue(1);
        assertThat(result.deleted()).isEqualTo(1);
        assertThat(text(single(queue.dlqUrl()))).containsOnlyKeys("sluice-failure-kind", "sluice-original-message-id",
                "sluice-attempts").containsEntry("sluice-failure-kind", "PERMANENT");
    }

    @Test
    void aDeadLetterQueueThatCannotBeReached_givesARetryWhoseVisibilityFollowsTheBackoff() {
        // GIVEN a dead-letter queue that does not exist, a backoff of 7 s per attempt, and a 2-second queue visibility
        Queues.Pair queue = Queues.create(sqs, "unreachable-dlq", false, 2, 5);
        send(queue, Messages.order("o-7", "-7"));
        SqsBatchConsumer<Order> consumer = consumer(queue).deadLetterQueueUrl(queue.dlqUrl() + "-deleted")
                .processor(p -> p.retryPolicy(new RetryPolicy(5, (attempt, random) -> Duration.ofSeconds(7L * attempt))))
                .build();

        // WHEN the consumer handles it
        PollResult result = pollOnce(queue, consumer);

        // THEN it is a batch item failure, hidden for the first attempt's backoff, not lost
        assertThat(result.failed()).isEqualTo(1);
        assertThat(refusal.visibilityChanges()).singleElement()
                .satisfies(change -> assertThat(change.entries()).singleElement()
                        .satisfies(entry -> assertThat(entry.visibilityTimeout()).isEqualTo(7)));
        sleep(Duration.ofSeconds(3));
        assertThat(Queues.receiveAll(sqs, queue.url())).isEmpty();
        assertThat(sqs.getQueueAttributes(r -> r.queueUrl(queue.url()).attributeNamesWithStrings("ApproximateNumberOfMessagesNotVisible"))
                .attributesAsStrings()).containsEntry("ApproximateNumberOfMessagesNotVisible", "1");
    }

    private Message single(String url) {
        List<Message> messages = Queues.receiveAll(sqs, url);
        assertThat(messages).hasSize(1);
        return messages.getFirst();
    }

    private static Map<String, String> text(Message message) {
        Map<String, String> text = new java.util.LinkedHashMap<>();
        message.messageAttributes().forEach((name, value) -> text.put(name, value.stringValue()));
        return text;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
