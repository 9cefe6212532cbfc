package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazon.sqs.javamessaging.AmazonSQSExtendedClient;
import com.amazon.sqs.javamessaging.ExtendedClientConfiguration;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Buckets;
import dev.sluice.aws.testing.ClaimChecks;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Queues;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendResult;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Interoperability with the Amazon SQS Extended Client Library (2.1.2) on ElasticMQ + moto S3, both ways: what the
 * library sends through S3 a Sluice consumer reads, and what a Sluice sender claim-checks the library receives.
 */
@ExtendWith(Engines.class)
class ExtendedClientInteropIT {
    private static SqsClient sqs;
    private static S3Client s3;

    @BeforeAll
    static void clients() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        s3 = AwsTestClients.s3(Engines.s3());
    }

    @AfterAll
    static void close() {
        sqs.close();
        s3.close();
    }

    @ParameterizedTest(name = "legacy attribute name: {0}")
    @ValueSource(booleans = {true, false})
    void aMessageTheLibrarySendsThroughS3_reachesASluiceHandlerExactly(boolean legacyAttributeName) {
        // GIVEN the library configured to send every body through S3 (by default it still names its size attribute
        // SQSLargePayloadSize; with the legacy name disabled, ExtendedPayloadSize)
        Queues.Pair queue = Queues.create(sqs, "interop", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        ExtendedClientConfiguration configuration = new ExtendedClientConfiguration()
                .withPayloadSupportEnabled(s3, bucket).withAlwaysThroughS3(true);
        if (!legacyAttributeName) {
            configuration = configuration.withLegacyReservedAttributeNameDisabled();
        }
        String payload = ClaimChecks.payload(300 * 1024, 11);
        try (AmazonSQSExtendedClient library = new AmazonSQSExtendedClient(sqs, configuration)) {
            library.sendMessage(r -> r.queueUrl(queue.url()).messageBody(payload));
        }
        assertThat(Buckets.count(s3, bucket)).isEqualTo(1);
        // WHEN a Sluice consumer with that bucket as its payload store runs
        List<String> received = ClaimChecks.received();
        ClaimChecks.drain(sqs, queue, ClaimChecks.function(received, ClaimChecks.config(queue, bucket).build(), sqs, s3));
        // THEN the handler got the exact body, nothing was dead-lettered, and the object was deleted after success
        assertThat(received).containsExactly(payload);
        assertThat(Queues.receiveAll(sqs, queue.dlqUrl())).isEmpty();
        assertThat(Buckets.count(s3, bucket)).isZero();
    }

    @Test
    void aMessageASluiceSenderClaimChecks_isReceivedByTheLibraryWithItsExactBody() {
        // GIVEN a signed Sluice sender with an S3 payload store (no gzip, so the stored body is the payload itself)
        Queues.Pair queue = Queues.create(sqs, "interop", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        S3PayloadStore store = S3PayloadStore.of(s3, PayloadLocation.parse("s3://" + bucket, "SLUICE_PAYLOAD_STORE"));
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(queue.url())
                .envelope(Envelope.builder().payloadStore(store).compressAboveBytes(Integer.MAX_VALUE)
                        .signingKeys(dev.sluice.core.security.SigningKeys.parse(ClaimChecks.KEYS, "keys")).build())
                .build();
        String payload = ClaimChecks.payload(300 * 1024, 12);
        // WHEN it sends a 300 KiB message, with a few attributes of its own
        SendResult sent = sender.send(OutboundMessage.builder().body(payload).messageType("order-placed")
                .correlationId("c-1").attribute("tenant", "t-1").build());
        assertThat(sent).isInstanceOf(SendResult.Sent.class);
        // THEN the library receives the stored body, exactly
        try (AmazonSQSExtendedClient library = new AmazonSQSExtendedClient(sqs,
                new ExtendedClientConfiguration().withPayloadSupportEnabled(s3, bucket))) {
            List<Message> messages = library.receiveMessage(r -> r.queueUrl(queue.url()).messageAttributeNames("All")
                    .waitTimeSeconds(1)).messages();
            assertThat(messages).singleElement().satisfies(m -> {
                assertThat(m.body()).isEqualTo(payload);
                assertThat(m.messageAttributes().get("tenant").stringValue()).isEqualTo("t-1");
            });
            // AND deleting it through the library deletes the stored object too
            library.deleteMessage(r -> r.queueUrl(queue.url()).receiptHandle(messages.getFirst().receiptHandle()));
        }
        assertThat(Buckets.count(s3, bucket)).isZero();
    }
}
