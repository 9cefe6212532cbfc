package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.internal.SqsMessages;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.ElasticMqServer;
import dev.sluice.aws.testing.Events;
import dev.sluice.aws.testing.Queues;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.testing.SenderRoundTrip;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The round trip on ElasticMQ: what {@link SqsMessageSender} sends, received and converted the way the Lambda adapter
 * converts an event record, passes the consumer's pipeline (signature, gzip, key, decode) and reaches the handler as
 * sent.
 */
class SqsMessageSenderRoundTripTest {
    private static ElasticMqServer server;
    private static SqsClient sqs;
    private static String queueUrl;
    private static String queueArn;

    @BeforeContainer
    static void start() {
        server = ElasticMqServer.start();
        sqs = AwsTestClients.sqs(server.endpoint());
        queueUrl = sqs.createQueue(r -> r.queueName("round-trip")).queueUrl();
        queueArn = Queues.arn(sqs, queueUrl);
    }

    @AfterContainer
    static void stop() {
        sqs.close();
        server.close();
    }

    @Property(tries = 30)
    void aSentMessage_passesTheConsumersChecks(@ForAll("cases") SenderRoundTrip.Case c) {
        // GIVEN a sender configured as the case says
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(queueUrl).envelope(c.envelope()).build();
        // WHEN it sends the message and the consumer receives it
        SendResult result = sender.send(c.outbound());
        assertThat(result).isInstanceOf(SendResult.Sent.class);
        Message received = receiveOne();
        assertThat(received.messageId()).isEqualTo(((SendResult.Sent) result).providerMessageId());
        Map<String, String> text = new LinkedHashMap<>();
        received.messageAttributes().forEach((name, value) -> text.put(name, value.stringValue()));
        SQSEvent.SQSMessage record = Events.record(received.messageId(), received.body(), text, queueArn);
        // THEN the pipeline accepts it and the handler sees it as sent
        SenderRoundTrip.assertArrivesAsSent(c, result.messageId(), SqsMessages.toIncoming(record), "round-trip");
    }

    @Provide
    Arbitrary<SenderRoundTrip.Case> cases() {
        return SenderRoundTrip.cases();
    }

    private static Message receiveOne() {
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageAttributeNames("All")).messages();
        assertThat(messages).hasSize(1);
        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(messages.getFirst().receiptHandle()));
        return messages.getFirst();
    }
}
