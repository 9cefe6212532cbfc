package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.ElasticMqServer;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.RequestCounter;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendMetrics;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.sender.SendRetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/** {@link SqsMessageSender}: SQS's batch limits, FIFO, delays, and retries of the failed entries only. */
class SqsMessageSenderTest {
    private static ElasticMqServer server;
    private static SqsClient sqs;

    @BeforeAll
    static void start() {
        server = ElasticMqServer.start();
        sqs = AwsTestClients.sqs(server.endpoint());
    }

    @AfterAll
    static void stop() {
        sqs.close();
        server.close();
    }

    private static OutboundMessage message(String body) {
        return OutboundMessage.builder().body(body).messageType("order").build();
    }

    @Test
    void sendAll_batchesByTenAndBySize_andReportsOneResultPerMessageInOrder() {
        // GIVEN 23 small messages and 3 of 100 KiB (three of those exceed one request's 256 KiB)
        String url = sqs.createQueue(r -> r.queueName("batches-" + System.nanoTime())).queueUrl();
        RequestCounter counter = new RequestCounter();
        InMemoryMetrics metrics = new InMemoryMetrics();
        try (SqsClient counted = AwsTestClients.sqs(server.endpoint(), counter)) {
            SqsMessageSender sender = SqsMessageSender.builder().sqs(counted).queue(url).metrics(metrics)
                    .envelope(Envelope.builder().compressAboveBytes(Integer.MAX_VALUE).build()).build();
            List<OutboundMessage> messages = new ArrayList<>();
            IntStream.range(0, 23).forEach(i -> messages.add(message("m-" + i)));
            IntStream.range(0, 3).forEach(i -> messages.add(message("x".repeat(100 * 1024))));

            // WHEN they are sent
            List<SendResult> results = sender.sendAll(messages);

            // THEN every one is sent, in 10 + 10 + (3 small + 2 large) + 1 large = 4 requests
            assertThat(results).hasSize(26).allMatch(r -> r instanceof SendResult.Sent);
            assertThat(counter.calls("SendMessageBatch")).isEqualTo(4);
            assertThat(Queues.receiveAll(sqs, url)).hasSize(26);
            assertThat(metrics.total(SluiceMetrics.SENT, SluiceMetrics.DIM_STATUS, SendMetrics.SENT)).isEqualTo(26);
        }
    }

    @Test
    void aMessageOverTheLimit_failsWithAReason_andTheOthersAreSent() {
        String url = sqs.createQueue(r -> r.queueName("limits-" + System.nanoTime())).queueUrl();
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(url)
                .envelope(Envelope.builder().compressAboveBytes(Integer.MAX_VALUE).build()).build();

        List<SendResult> results = sender.sendAll(List.of(message("a"), message("x".repeat(256 * 1024)),
                OutboundMessage.builder().body("late").delay(Duration.ofSeconds(901)).build(),
                OutboundMessage.builder().body("delayed").delay(Duration.ofSeconds(30)).build()));

        assertThat(results.get(0)).isInstanceOf(SendResult.Sent.class);
        assertThat(((SendResult.Failed) results.get(1)).reason()).contains("SQS accepts at most 262144");
        assertThat(((SendResult.Failed) results.get(2)).reason()).contains("delay must be between 0 and 900 s");
        assertThat(results.get(3)).isInstanceOf(SendResult.Sent.class);
        assertThat(Queues.receiveAll(sqs, url)).extracting(Message::body).containsExactly("a");
    }

    @Test
    void onAFifoQueue_theGroupIsTheMessageGroup_andTheSluiceMessageIdDeduplicates() {
        String name = "orders-" + System.nanoTime() + ".fifo";
        String url = sqs.createQueue(r -> r.queueName(name).attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(name).build();

        List<SendResult> results = sender.sendAll(List.of(
                OutboundMessage.builder().body("1").groupId("customer-1").build(),
                OutboundMessage.builder().body("2").build(),
                OutboundMessage.builder().body("3").groupId("customer-1").delay(Duration.ofSeconds(5)).build()));

        assertThat(results.get(0)).isInstanceOf(SendResult.Sent.class);
        assertThat(((SendResult.Failed) results.get(1)).reason()).contains("needs a message group");
        assertThat(((SendResult.Failed) results.get(2)).reason()).contains("no per-message delay");
        List<Message> received = sqs.receiveMessage(r -> r.queueUrl(url).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        assertThat(received).singleElement().satisfies(m -> {
            assertThat(m.attributesAsStrings()).containsEntry("MessageGroupId", "customer-1")
                    .containsEntry("MessageDeduplicationId", results.get(0).messageId());
            assertThat(m.messageAttributes().get(SluiceAttributes.MESSAGE_ID).stringValue()).isEqualTo(results.get(0).messageId());
        });
    }

    @Test
    void aPartialBatch_retriesOnlyTheEntriesThatFailedForSqsReasons() {
        // GIVEN SQS fails entry 1 (throttled, not the sender's fault) and entry 2 (the sender's fault) once
        List<SendMessageBatchRequest> requests = new ArrayList<>();
        SqsClient flaky = new SqsClient() {
            @Override
            public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
                requests.add(request);
                SendMessageBatchResponse.Builder response = SendMessageBatchResponse.builder();
                List<SendMessageBatchResultEntry> ok = new ArrayList<>();
                List<BatchResultErrorEntry> failed = new ArrayList<>();
                request.entries().forEach(e -> {
                    if (requests.size() == 1 && e.id().equals("1")) {
                        failed.add(BatchResultErrorEntry.builder().id("1").code("ThrottlingException").message("slow down")
                                .senderFault(false).build());
                    } else if (requests.size() == 1 && e.id().equals("2")) {
                        failed.add(BatchResultErrorEntry.builder().id("2").code("InvalidMessageContents").message("bad")
                                .senderFault(true).build());
                    } else {
                        ok.add(SendMessageBatchResultEntry.builder().id(e.id()).messageId("sqs-" + e.id()).build());
                    }
                });
                return response.successful(ok).failed(failed).build();
            }

            @Override
            public String serviceName() {
                return "sqs";
            }

            @Override
            public void close() {}
        };
        SqsMessageSender sender = SqsMessageSender.builder().sqs(flaky).queue("https://sqs.test/000000000000/orders")
                .retry(SendRetry.immediate(3)).build();

        // WHEN three messages are sent
        List<SendResult> results = sender.sendAll(List.of(message("0"), message("1"), message("2")));

        // THEN the second request carries only entry 1, and each message has its result
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).entries()).extracting(e -> e.id()).containsExactly("1");
        assertThat(results.get(0)).isEqualTo(new SendResult.Sent(results.get(0).messageId(), "sqs-0"));
        assertThat(results.get(1)).isEqualTo(new SendResult.Sent(results.get(1).messageId(), "sqs-1"));
        assertThat(((SendResult.Failed) results.get(2)).reason()).isEqualTo("InvalidMessageContents: bad");
    }

    @Test
    void aRequestThatFailsAsAWhole_isRetried_thenItsMessagesFailWithTheError() {
        // GIVEN an endpoint that is never reachable
        List<Integer> calls = new ArrayList<>();
        SqsClient down = new SqsClient() {
            @Override
            public SendMessageBatchResponse sendMessageBatch(SendMessageBatchRequest request) {
                calls.add(request.entries().size());
                throw SdkClientException.create("Unable to execute HTTP request: connection refused");
            }

            @Override
            public String serviceName() {
                return "sqs";
            }

            @Override
            public void close() {}
        };
        SqsMessageSender sender = SqsMessageSender.builder().sqs(down).queue("https://sqs.test/000000000000/orders")
                .retry(SendRetry.immediate(3)).build();

        // WHEN two messages are sent
        List<SendResult> results = sender.sendAll(List.of(message("a"), message("b")));

        // THEN the request was tried three times, and both messages failed naming the error and the attempts
        assertThat(calls).containsExactly(2, 2, 2);
        assertThat(results).allSatisfy(r -> assertThat(((SendResult.Failed) r).reason())
                .contains("connection refused").contains("after 3 attempts"));
    }

    @Test
    void build_namesTheMissingProperty() {
        assertThatThrownBy(() -> SqsMessageSender.builder().queue("u").build()).hasMessageContaining("sqs");
        assertThatThrownBy(() -> SqsMessageSender.builder().sqs(sqs).build()).hasMessageContaining("queue");
        assertThatThrownBy(() -> SendRetry.immediate(0)).hasMessageContaining("maxAttempts");
    }
}
