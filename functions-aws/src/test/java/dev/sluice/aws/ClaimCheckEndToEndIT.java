package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Buckets;
import dev.sluice.aws.testing.ClaimChecks;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.FailureInjector;
import dev.sluice.aws.testing.Queues;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.sender.SendRetry;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Claim-check end to end: {@link SqsMessageSender} stores large bodies in S3 (moto) and sends pointers on ElasticMQ,
 * the consumer on the local event source mapping reads them back before verifying and decoding.
 */
@ExtendWith(Engines.class)
class ClaimCheckEndToEndIT {
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

    private static S3PayloadStore store(String bucket) {
        return S3PayloadStore.of(s3, PayloadLocation.parse("s3://" + bucket + "/claims", "SLUICE_PAYLOAD_STORE"));
    }

    private static SqsMessageSender signedSender(Queues.Pair queue, Envelope.Builder envelope, S3PayloadStore store) {
        return SqsMessageSender.builder().sqs(sqs).queue(queue.url())
                .envelope(envelope.signingKeys(SigningKeys.parse(ClaimChecks.KEYS, "keys")).payloadStore(store).build())
                .build();
    }

    private static SluiceConfig signedConfig(Queues.Pair queue, String bucket, boolean delete) {
        return ClaimChecks.config(queue, bucket).signingKeys(ClaimChecks.KEYS).deletePayloadsAfterSuccess(delete).build();
    }

    @Test
    void a400KiBSignedMessage_travelsThroughS3_reachesTheHandlerExactly_andItsObjectIsDeletedAfterSuccess() {
        // GIVEN a signed sender and consumer sharing a bucket
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        String payload = ClaimChecks.payload(400 * 1024, 1);
        // WHEN a 400 KiB message is sent
        SendResult result = signedSender(queue, Envelope.builder(), store(bucket)).send(
                OutboundMessage.builder().body(payload).build());
        // THEN it was sent, its body stored in the bucket
        assertThat(result).isInstanceOf(SendResult.Sent.class);
        assertThat(Buckets.count(s3, bucket)).isEqualTo(1);
        // WHEN the consumer runs
        List<String> received = ClaimChecks.received();
        ClaimChecks.drain(sqs, queue, ClaimChecks.function(received, signedConfig(queue, bucket, true), sqs, s3));
        // THEN the handler got the exact payload, nothing was dead-lettered, and the object is gone
        assertThat(received).containsExactly(payload);
        assertThat(Queues.receiveAll(sqs, queue.dlqUrl())).isEmpty();
        assertThat(Buckets.count(s3, bucket)).isZero();
    }

    @Test
    void withDeleteAfterSuccessOff_theObjectStays() {
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        String payload = ClaimChecks.payload(400 * 1024, 2);
        signedSender(queue, Envelope.builder(), store(bucket)).send(OutboundMessage.builder().body(payload).build());

        List<String> received = ClaimChecks.received();
        ClaimChecks.drain(sqs, queue, ClaimChecks.function(received, signedConfig(queue, bucket, false), sqs, s3));

        assertThat(received).containsExactly(payload);
        assertThat(Buckets.count(s3, bucket)).isEqualTo(1);
    }

    @Test
    void aMessageWhoseObjectWasDeleted_isDeadLetteredAsPoison_namingTheObject_withItsPointerBodyKept() {
        // GIVEN a claim-checked message whose object is deleted before it is consumed
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        signedSender(queue, Envelope.builder(), store(bucket)).send(
                OutboundMessage.builder().body(ClaimChecks.payload(400 * 1024, 3)).build());
        S3Object object = s3.listObjectsV2(r -> r.bucket(bucket)).contents().getFirst();
        s3.deleteObject(r -> r.bucket(bucket).key(object.key()));
        // WHEN the consumer runs
        List<String> received = ClaimChecks.received();
        ClaimChecks.drain(sqs, queue, ClaimChecks.function(received, signedConfig(queue, bucket, true), sqs, s3));
        // THEN the handler never ran, and the message is in the DLQ as POISON, its reason naming the object
        assertThat(received).isEmpty();
        List<Message> dead = Queues.receiveAll(sqs, queue.dlqUrl());
        assertThat(dead).singleElement().satisfies(m -> {
            assertThat(m.messageAttributes().get(SluiceAttributes.FAILURE_KIND).stringValue()).isEqualTo("POISON");
            assertThat(m.messageAttributes().get(SluiceAttributes.ERROR_MESSAGE).stringValue())
                    .contains("s3://" + bucket + "/" + object.key()).contains("missing");
            // nothing lost: restore the object and a redrive replays the same pointer
            assertThat(m.body()).contains(bucket).contains(object.key());
            assertThat(m.messageAttributes().get("ExtendedPayloadSize").dataType()).isEqualTo("Number");
        });
    }

    @Test
    void aTamperedStoredObject_failsTheSignatureCheck() {
        // GIVEN a signed claim-checked message whose object is overwritten after sending
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        String payload = ClaimChecks.payload(400 * 1024, 4);
        signedSender(queue, Envelope.builder().compressAboveBytes(Integer.MAX_VALUE), store(bucket)).send(
                OutboundMessage.builder().body(payload).build());
        S3Object object = s3.listObjectsV2(r -> r.bucket(bucket)).contents().getFirst();
        s3.putObject(r -> r.bucket(bucket).key(object.key()), RequestBody.fromString(payload.replace('a', 'b')));
        // WHEN the consumer runs
        List<String> received = ClaimChecks.received();
        ClaimChecks.drain(sqs, queue, ClaimChecks.function(received, signedConfig(queue, bucket, true), sqs, s3));
        // THEN the handler never saw the forged payload: the message is quarantined as SIGNATURE_INVALID
        assertThat(received).isEmpty();
        assertThat(Queues.receiveAll(sqs, queue.dlqUrl())).singleElement().satisfies(m ->
                assertThat(m.messageAttributes().get(SluiceAttributes.FAILURE_KIND).stringValue()).isEqualTo("SIGNATURE_INVALID"));
    }

    @Test
    void withoutAPayloadStore_aMessageOver256KiB_failsWithAReason_andNothingIsSent() {
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(queue.url()).build();

        SendResult result = sender.send(OutboundMessage.builder().body(ClaimChecks.payload(400 * 1024, 5)).build());

        assertThat(result).isInstanceOfSatisfying(SendResult.Failed.class, failed ->
                assertThat(failed.reason()).contains("262144").contains("payload store"));
        assertThat(Queues.receiveAll(sqs, queue.url())).isEmpty();
    }

    @Test
    void withOffloadAbove1KiB_a2KiBMessageIsStored_andArrivesWithTheNativeSizeAttribute() {
        // GIVEN an unsigned sender that stores bodies over 1 KiB
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        S3PayloadStore store = store(bucket);
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(queue.url())
                .envelope(Envelope.builder().payloadStore(store).offloadAboveBytes(1024).build()).build();
        String payload = ClaimChecks.payload(2048, 6);
        // WHEN a 2 KiB message is sent
        assertThat(sender.send(OutboundMessage.builder().body(payload).build())).isInstanceOf(SendResult.Sent.class);
        // THEN its body is in the bucket, and the queued message is the pointer with a native Number size attribute
        assertThat(Buckets.count(s3, bucket)).isEqualTo(1);
        Message queued = sqs.receiveMessage(r -> r.queueUrl(queue.url()).messageAttributeNames("All").waitTimeSeconds(1))
                .messages().getFirst();
        assertThat(queued.body()).startsWith("[\"software.amazon.payloadoffloading.PayloadS3Pointer\"");
        assertThat(queued.messageAttributes().get("ExtendedPayloadSize").dataType()).isEqualTo("Number");
        assertThat(queued.messageAttributes().get("ExtendedPayloadSize").stringValue()).isEqualTo("2048");
        sqs.changeMessageVisibility(r -> r.queueUrl(queue.url()).receiptHandle(queued.receiptHandle()).visibilityTimeout(0));
        // AND the consumer gets the payload
        List<String> received = ClaimChecks.received();
        ClaimChecks.drain(sqs, queue, ClaimChecks.function(received, ClaimChecks.config(queue, bucket).build(), sqs, s3));
        assertThat(received).containsExactly(payload);
    }

    @Test
    void aMessageNotSent_leavesNoObjectBehind() {
        // GIVEN a FIFO queue and a message without a group (refused after its body was stored)
        Queues.Pair queue = Queues.create(sqs, "claims", true, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        S3PayloadStore store = store(bucket);
        SqsMessageSender sender = SqsMessageSender.builder().sqs(sqs).queue(queue.url())
                .envelope(Envelope.builder().payloadStore(store).offloadAboveBytes(1024).build()).build();

        SendResult result = sender.send(OutboundMessage.builder().body(ClaimChecks.payload(2048, 7)).build());

        assertThat(result).isInstanceOfSatisfying(SendResult.Failed.class, f -> assertThat(f.reason()).contains("group"));
        assertThat(Buckets.count(s3, bucket)).isZero();
    }

    @Test
    void aRequestThatFailedAsAWhole_keepsItsStoredObject_becauseSqsMayHaveEnqueuedIt() {
        // GIVEN an SQS client whose SendMessageBatch calls all fail, and a sender that retries twice
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        S3PayloadStore store = store(bucket);
        FailureInjector failures = new FailureInjector("SendMessageBatch");
        failures.failNext(100);
        try (SqsClient broken = AwsTestClients.sqs(Engines.sqs(), failures)) {
            SqsMessageSender sender = SqsMessageSender.builder().sqs(broken).queue(queue.url())
                    .retry(SendRetry.immediate(2))
                    .envelope(Envelope.builder().payloadStore(store).build()).build();
            // WHEN a 400 KiB message is sent
            SendResult result = sender.send(OutboundMessage.builder().body(ClaimChecks.payload(400 * 1024, 8)).build());
            // THEN it failed after its attempts; a failed request may still have been enqueued (a timeout after SQS
            // took it), and a delivered message without its payload would be poison: the object stays for the
            // bucket's lifecycle rule
            assertThat(result).isInstanceOfSatisfying(SendResult.Failed.class,
                    f -> assertThat(f.reason()).contains("after 2 attempts"));
        }
        assertThat(Buckets.count(s3, bucket)).isEqualTo(1);
        assertThat(Queues.receiveAll(sqs, queue.url())).isEmpty();
    }

    @Test
    void aRedeliveryAfterItsSuccessDeletedTheObject_isADuplicate_notADeadLetter() {
        // GIVEN a signed claim-checked message, and a consumer with a DynamoDB idempotency table
        Queues.Pair queue = Queues.create(sqs, "claims", false, 5, 3);
        String bucket = Buckets.create(s3, "payloads");
        String payload = ClaimChecks.payload(400 * 1024, 9);
        signedSender(queue, Envelope.builder(), store(bucket)).send(OutboundMessage.builder().body(payload).build());
        List<String> received = ClaimChecks.received();
        try (software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb())) {
            String table = dev.sluice.aws.testing.Tables.create(dynamo, "claims");
            SqsBatchConsumer<String> consumer = SqsBatchConsumer.<String>builder().codec(ClaimChecks.TEXT)
                    .config(ClaimChecks.config(queue, bucket).signingKeys(ClaimChecks.KEYS).idempotencyTable(table).build())
                    .sqsClient(sqs).s3Client(s3).dynamoDbClient(dynamo)
                    .handler((message, context) -> received.add(message.body()))
                    .metrics(new dev.sluice.core.observability.InMemoryMetrics()).snapStartPriming(false).build();
            Message message = sqs.receiveMessage(r -> r.queueUrl(queue.url()).messageAttributeNames("All").waitTimeSeconds(1))
                    .messages().getFirst();
            com.amazonaws.services.lambda.runtime.events.SQSEvent event = dev.sluice.aws.testing.Events.of(
                    dev.sluice.aws.testing.Events.record(message.messageId(), message.body(),
                            dev.sluice.aws.internal.SqsAttributes.toText(dev.sluice.aws.internal.SqsAttributes.unpack(
                                    message.messageAttributes())), queue.arn()));

            // WHEN it is handled, its object deleted, and the same message is delivered again (the function died
            // before SQS heard of the success, or SQS delivered it twice)
            assertThat(consumer.handle(event, null).getBatchItemFailures()).isEmpty();
            assertThat(Buckets.count(s3, bucket)).isZero();
            var again = consumer.handle(event, null);

            // THEN the second delivery is a duplicate: acknowledged, not run, nothing dead-lettered
            assertThat(again.getBatchItemFailures()).isEmpty();
            assertThat(received).containsExactly(payload);
            assertThat(Queues.receiveAll(sqs, queue.dlqUrl())).isEmpty();
        }
    }
}
