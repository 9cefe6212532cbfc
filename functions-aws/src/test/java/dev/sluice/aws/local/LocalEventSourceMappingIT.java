package dev.sluice.aws.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Queues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

@ExtendWith(Engines.class)
class LocalEventSourceMappingIT {
    private SqsClient sqs;
    private Queues.Pair queue;
    private final List<SQSEvent> invocations = new ArrayList<>();

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        queue = Queues.create(sqs, "esm", false, 30, 5);
    }

    @AfterEach
    void tearDown() {
        sqs.close();
    }

    private void send(int n) {
        for (int i = 0; i < n; i++) {
            String body = "m" + i;
            sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(body).messageAttributes(java.util.Map.of("n",
                    MessageAttributeValue.builder().dataType("Number").stringValue(body.substring(1)).build())));
        }
    }

    @Test
    void aBatchingWindow_gathersMoreThanOneReceiveIntoOneInvocation_shapedAsLambdaSendsIt() {
        // GIVEN 15 messages and a mapping with batch size 15 and a 2-second window
        send(15);
        LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .batchSize(15).maximumBatchingWindow(Duration.ofSeconds(2))
                .function((event, context) -> {
                    invocations.add(event);
                    return SQSBatchResponse.builder().withBatchItemFailures(new ArrayList<>()).build();
                }).build();
        // WHEN it polls once
        PollResult result = esm.pollOnce();
        // THEN one invocation got all 15 records, each with Lambda's fields, and all were deleted
        assertThat(result).isEqualTo(new PollResult(15, 15, 0, false));
        assertThat(invocations).singleElement().satisfies(event -> assertThat(event.getRecords()).hasSize(15).allSatisfy(r -> {
            assertThat(r.getEventSource()).isEqualTo("aws:sqs");
            assertThat(r.getEventSourceArn()).isEqualTo(queue.arn());
            assertThat(r.getAttributes()).containsKeys("ApproximateReceiveCount", "SentTimestamp");
            assertThat(r.getMessageAttributes().get("n").getDataType()).isEqualTo("Number");
            assertThat(r.getReceiptHandle()).isNotBlank();
        }));
        assertThat(esm.isEmpty()).isTrue();
    }

    @Test
    void reportedFailures_stayInTheQueue_andTheRestIsDeleted() {
        // GIVEN 3 messages and a function that reports the second as failed
        send(3);
        LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function((event, context) -> SQSBatchResponse.builder().withBatchItemFailures(List.of(
                        SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(event.getRecords().get(1).getMessageId()).build()))
                        .build()).build();
        // WHEN it polls once
        PollResult result = esm.pollOnce();
        // THEN two are deleted and one is left to its visibility timeout
        assertThat(result).isEqualTo(new PollResult(3, 2, 1, false));
        assertThat(esm.isEmpty()).isFalse();
    }

    @Test
    void aFunctionThatThrows_orNamesAnUnknownId_failsTheWholeBatchAsLambdaDoes() {
        // GIVEN 2 messages and a function that throws
        send(2);
        LocalEventSourceMapping throwing = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function((event, context) -> {
                    throw new IllegalStateException("boom");
                }).build();
        // WHEN it polls once
        // THEN nothing is deleted
        assertThat(throwing.pollOnce()).isEqualTo(new PollResult(2, 0, 2, true));

        // GIVEN a function that reports an id not in the batch (after the messages come back)
        sqs.purgeQueue(r -> r.queueUrl(queue.url()));
        send(2);
        LocalEventSourceMapping bogus = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url())
                .function((event, context) -> SQSBatchResponse.builder().withBatchItemFailures(List.of(
                        SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier("not-in-batch").build())).build()).build();
        // WHEN it polls once
        // THEN nothing is deleted either
        assertThat(bogus.pollOnce()).isEqualTo(new PollResult(2, 0, 2, false));
    }
}
