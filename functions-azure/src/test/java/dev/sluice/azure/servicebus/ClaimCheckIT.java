package dev.sluice.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import dev.sluice.azure.BlobPayloadStore;
import dev.sluice.azure.ServiceBusBatchConsumer;
import dev.sluice.azure.ServiceBusMessageSender;
import dev.sluice.azure.SessionRetryException;
import dev.sluice.azure.testing.FunctionsHostSimulator;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.LocalAzuriteExtension;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.sender.SendRetry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The claim-check end to end on Azure: {@link ServiceBusMessageSender} stores large bodies in Blob Storage (Azurite),
 * the broker model carries the pointer, the Functions host simulator delivers it to {@link ServiceBusBatchConsumer},
 * whose pipeline reads the blob, verifies the signature over the real payload, hands it to the handler, and deletes
 * the blob after success.
 */
class ClaimCheckIT {
    @RegisterExtension
    static final LocalAzuriteExtension AZURITE = new LocalAzuriteExtension();

    private static final String QUEUE = "orders";
    private static final String PARKING = "orders-parking";
    private static final SigningKeys KEYS = SigningKeys.of("k1", Map.of("k1",
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
    private static final MessageCodec<String> TEXT = new MessageCodec<>() {
        @Override
        public String decode(byte[] payload, Map<String, String> attributes) {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public byte[] encode(String body) {
            return body.getBytes(StandardCharsets.UTF_8);
        }
    };

    /** A producer and a consumer of one queue, sharing one Blob container. */
    private static final class Fixture {
        final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        final InMemoryServiceBus broker = new InMemoryServiceBus(clock)
                .createQueue(QUEUE, InMemoryServiceBus.QueueSettings.defaults())
                .createQueue(PARKING, InMemoryServiceBus.QueueSettings.defaults());
        final BlobContainerClient container = AZURITE.get().newContainer();
        final BlobPayloadStore store = BlobPayloadStore.of(AZURITE.get().client(), AZURITE.get().location(container));
        final List<String> handled = Collections.synchronizedList(new ArrayList<>());
        final FunctionsHostSimulator host;

        Fixture(boolean deleteAfterSuccess) {
            // configured as a Function App would be: SLUICE_PAYLOAD_STORE and SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS
            SluiceConfig config = SluiceConfig.builder().queueName(QUEUE)
                    .payloadStore(AZURITE.get().location(container).toString())
                    .deletePayloadsAfterSuccess(deleteAfterSuccess).build();
            BatchProcessor<String> processor = BatchProcessor.<String>builder()
                    .config(config)
                    .handler((message, context) -> handled.add(message.body()))
                    .codec(TEXT)
                    .signatures(MessageSignatures.with(KEYS))
                    .payloadStore(store)
                    .clock(clock)
                    .build();
            ServiceBusBatchConsumer<String> consumer = ServiceBusBatchConsumer.<String>builder()
                    .processor(processor).publisher(broker).parkingQueue(PARKING).clock(clock).build();
            host = new FunctionsHostSimulator(broker, clock, QUEUE, false, 32, consumer::process);
        }

        ServiceBusMessageSender.Builder sender(Envelope.Builder envelope) {
            return ServiceBusMessageSender.builder().publisher(broker).queue(QUEUE)
                    .envelope(envelope.signingKeys(KEYS).clock(clock).build());
        }

        ServiceBusMessageSender claimCheckingSender() {
            return sender(Envelope.builder().payloadStore(store)).build();
        }

        List<String> blobs() {
            return container.listBlobs().stream().map(BlobItem::getName).toList();
        }

        PayloadPointer pointerOfQueuedMessage() {
            return ClaimCheck.parse(broker.messages(QUEUE).getFirst().message().body());
        }
    }

    /** Text of {@code chars} characters that gzip cannot shrink much, so compression does not bring it under the limit. */
    private static String payload(int chars) {
        Random random = new Random(chars);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder text = new StringBuilder(chars).append("{\"data\":\"");
        while (text.length() < chars - 2) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.append("\"}").toString();
    }

    @Test
    void aLargeSignedMessage_travelsThroughBlobStorage_reachesTheHandlerExactly_andItsBlobIsDeleted() {
        // GIVEN a 400 KiB message, over Service Bus Standard's 256 KiB
        Fixture f = new Fixture(true);
        String body = payload(400 * 1024);

        // WHEN it is sent signed, with a payload store
        SendResult result = f.claimCheckingSender().send(OutboundMessage.builder().body(body).build());

        // THEN the queue holds a small pointer with the payload's size, and the payload is one blob
        assertThat(result).isInstanceOf(SendResult.Sent.class);
        InMemoryServiceBus.Stored queued = f.broker.messages(QUEUE).getFirst();
        assertThat(queued.message().body().length).isLessThan(1024);
        assertThat(queued.properties()).containsKey(ClaimCheck.SIZE_ATTRIBUTE).containsKey(SluiceAttributes.CLAIM_CHECK);
        assertThat(f.blobs()).containsExactly(f.pointerOfQueuedMessage().key());

        // WHEN the host delivers it
        List<FunctionsHostSimulator.Invocation> invocations = f.host.runUntilIdle(5);

        // THEN the handler got the exact payload once, and the blob is gone
        assertThat(invocations).singleElement().satisfies(i -> assertThat(i.completed()).isTrue());
        assertThat(f.handled).containsExactly(body);
        assertThat(f.blobs()).isEmpty();
        assertThat(f.broker.messages(QUEUE)).isEmpty();
        assertThat(f.broker.messages(PARKING)).isEmpty();
    }

    @Test
    void withDeleteAfterSuccessOff_theBlobStays() {
        Fixture f = new Fixture(false);
        String body = payload(400 * 1024);
        f.claimCheckingSender().send(OutboundMessage.builder().body(body).build());
        PayloadPointer pointer = f.pointerOfQueuedMessage();

        f.host.runUntilIdle(5);

        assertThat(f.handled).containsExactly(body);
        assertThat(f.blobs()).containsExactly(pointer.key());
    }

    @Test
    void aMessageWhoseBlobIsGone_isParkedAsPoison_namingTheBlob_andNothingIsLost() {
        // GIVEN a sent message whose blob was deleted before it was consumed
        Fixture f = new Fixture(true);
        f.claimCheckingSender().send(OutboundMessage.builder().body(payload(300 * 1024)).build());
        PayloadPointer pointer = f.pointerOfQueuedMessage();
        f.container.getBlobClient(pointer.key()).delete();

        // WHEN the host delivers it
        f.host.runUntilIdle(5);

        // THEN the handler never ran; the message is parked as POISON, its reason naming the blob, the pointer kept
        assertThat(f.handled).isEmpty();
        assertThat(f.broker.messages(PARKING)).singleElement().satisfies(parked -> {
            assertThat(parked.properties()).containsEntry(SluiceAttributes.FAILURE_KIND, "POISON")
                    .containsKey(ClaimCheck.SIZE_ATTRIBUTE);
            assertThat(parked.properties().get(SluiceAttributes.ERROR_MESSAGE))
                    .contains("missing").contains(pointer.toString());
            assertThat(ClaimCheck.parse(parked.message().body())).isEqualTo(pointer);
        });
        assertThat(f.broker.messages(QUEUE)).isEmpty();
        assertThat(f.broker.deadLetters(QUEUE)).isEmpty();
    }

    @Test
    void aBlobOverwrittenAfterSending_isRefusedAsSignatureInvalid() {
        // GIVEN a sent message whose blob someone replaced with other bytes
        Fixture f = new Fixture(true);
        f.claimCheckingSender().send(OutboundMessage.builder().body(payload(300 * 1024)).build());
        PayloadPointer pointer = f.pointerOfQueuedMessage();
        String forged = payload(300 * 1024).replace('A', 'B');
        f.container.getBlobClient(pointer.key()).upload(BinaryData.fromString(forged), true);

        // WHEN the host delivers it
        f.host.runUntilIdle(5);

        // THEN the handler never saw the forged payload, and the message is parked as SIGNATURE_INVALID
        assertThat(f.handled).isEmpty();
        assertThat(f.broker.messages(PARKING)).singleElement().satisfies(parked ->
                assertThat(parked.properties()).containsEntry(SluiceAttributes.FAILURE_KIND, "SIGNATURE_INVALID"));
        assertThat(f.broker.messages(QUEUE)).isEmpty();
    }

    @Test
    void withoutAPayloadStore_aMessageOverTheLimit_failsWithAReason_andNothingIsSent() {
        Fixture f = new Fixture(true);
        ServiceBusMessageSender sender = f.sender(Envelope.builder()).build();

        SendResult result = sender.send(OutboundMessage.builder().body(payload(400 * 1024)).build());

        assertThat(result).isInstanceOfSatisfying(SendResult.Failed.class, failed -> assertThat(failed.reason())
                .contains("at most " + ServiceBusMessageSender.STANDARD_MAX_MESSAGE_BYTES).contains("payload store"));
        assertThat(f.broker.sendCalls()).isZero();
        assertThat(f.broker.messages(QUEUE)).isEmpty();
    }

    @Test
    void withALowOffloadThreshold_aSmallMessageIsStoredToo() {
        Fixture f = new Fixture(true);
        ServiceBusMessageSender sender = f.sender(Envelope.builder().payloadStore(f.store).offloadAboveBytes(1024)).build();
        String body = payload(2 * 1024);

        sender.send(OutboundMessage.builder().body(body).build());

        assertThat(f.broker.messages(QUEUE)).singleElement().satisfies(queued -> assertThat(queued.properties())
                .containsEntry(ClaimCheck.SIZE_ATTRIBUTE, Integer.toString(body.length())));
        assertThat(f.blobs()).containsExactly(f.pointerOfQueuedMessage().key());
        f.host.runUntilIdle(5);
        assertThat(f.handled).containsExactly(body);
        assertThat(f.blobs()).isEmpty();
    }

    @Test
    void aPremiumLimit_letsALargeMessageGoWithoutBlobStorage() {
        Fixture f = new Fixture(true);
        ServiceBusMessageSender sender = f.sender(Envelope.builder().payloadStore(f.store))
                .maxMessageBytes(1024 * 1024).build();
        String body = payload(400 * 1024);

        sender.send(OutboundMessage.builder().body(body).build());

        assertThat(f.broker.messages(QUEUE)).singleElement().satisfies(queued ->
                assertThat(queued.properties()).doesNotContainKey(ClaimCheck.SIZE_ATTRIBUTE));
        assertThat(f.blobs()).isEmpty();
        f.host.runUntilIdle(5);
        assertThat(f.handled).containsExactly(body);
    }

    @Test
    void whenTheSendFinallyFails_theStoredBlobStays_becauseAFailedPublishMayHaveSentIt() {
        // GIVEN a broker that refuses every send
        Fixture f = new Fixture(true);
        f.broker.failSendsWhen((queue, messages) -> true);
        ServiceBusMessageSender sender = f.sender(Envelope.builder().payloadStore(f.store))
                .retry(SendRetry.immediate(2)).build();

        // WHEN a large message is sent
        SendResult result = sender.send(OutboundMessage.builder().body(payload(400 * 1024)).build());

        // THEN it failed after the retries; a failed publish may still have sent it (the SDK says some may have
        // gone), and a delivered message without its blob would be poison: the blob stays for the lifecycle rule
        assertThat(result).isInstanceOfSatisfying(SendResult.Failed.class, failed ->
                assertThat(failed.reason()).contains("after 2 attempts"));
        assertThat(f.broker.sendCalls()).isEqualTo(2);
        assertThat(f.blobs()).hasSize(1);
    }

    @Test
    void whenServiceBusRefusesTheMessage_theStoredBlobIsDeleted_andTheOthersAreSent() {
        // GIVEN a broker that refuses one message of a send for its content
        Fixture f = new Fixture(true);
        f.broker.rejectMessagesWhen((queue, m) -> m.applicationProperties().containsValue("refuse-me"));
        ServiceBusMessageSender sender = f.claimCheckingSender();
        String kept = payload(300 * 1024);

        // WHEN two large messages are sent together
        List<SendResult> results = sender.sendAll(List.of(
                OutboundMessage.builder().body(payload(400 * 1024)).attribute("note", "refuse-me").build(),
                OutboundMessage.builder().body(kept).build()));

        // THEN the refused one failed and left no blob; the other went, its blob in place, and arrives
        assertThat(results.get(0)).isInstanceOfSatisfying(SendResult.Failed.class, failed ->
                assertThat(failed.reason()).contains("refused"));
        assertThat(results.get(1)).isInstanceOf(SendResult.Sent.class);
        assertThat(f.blobs()).containsExactly(f.pointerOfQueuedMessage().key());
        f.host.runUntilIdle(5);
        assertThat(f.handled).containsExactly(kept);
        assertThat(f.blobs()).isEmpty();
    }

    @Test
    void aBrokenPayloadStore_failsTheSendWithAReason_andNothingIsSent() {
        // GIVEN a store whose container does not exist
        Fixture f = new Fixture(true);
        BlobPayloadStore broken = BlobPayloadStore.of(AZURITE.get().client(),
                dev.sluice.core.claimcheck.PayloadLocation.parse(AZURITE.get().accountUrl() + "/no-such-container",
                        "SLUICE_PAYLOAD_STORE"));
        ServiceBusMessageSender sender = f.sender(Envelope.builder().payloadStore(broken)).build();

        SendResult result = sender.send(OutboundMessage.builder().body(payload(400 * 1024)).build());

        assertThat(result).isInstanceOfSatisfying(SendResult.Failed.class, failed ->
                assertThat(failed.reason()).contains("could not be stored").contains("ContainerNotFound"));
        assertThat(f.broker.sendCalls()).isZero();
    }

    @Test
    void aSessionBatchAbandonedForARetry_comesBackWithItsBlobs_andEveryMessageIsHandledOnceInOrder() {
        // GIVEN a session queue, an idempotency store (so a session retry abandons the whole batch), and a handler
        // whose second message fails once
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
        InMemoryServiceBus broker = new InMemoryServiceBus(clock)
                .createQueue(QUEUE, InMemoryServiceBus.QueueSettings.withSessions())
                .createQueue(PARKING, InMemoryServiceBus.QueueSettings.defaults());
        BlobContainerClient container = AZURITE.get().newContainer();
        BlobPayloadStore store = BlobPayloadStore.of(AZURITE.get().client(), AZURITE.get().location(container));
        List<String> handled = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean failedOnce = new java.util.concurrent.atomic.AtomicBoolean();
        BatchProcessor<String> processor = BatchProcessor.<String>builder().queueName(QUEUE).codec(TEXT)
                .handler((message, context) -> {
                    if (message.body().startsWith("{\"n\":1,") && failedOnce.compareAndSet(false, true)) {
                        throw new IllegalStateException("downstream 503");
                    }
                    handled.add(message.body().substring(0, 7));
                })
                .idempotency(dev.sluice.core.idempotency.IdempotencyOptions.builder()
                        .store(new dev.sluice.core.idempotency.InMemoryIdempotencyStore()).build())
                .retryPolicy(dev.sluice.core.pipeline.RetryPolicy.exponential(3, java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(1)))
                .payloadStore(store).clock(clock).build();
        ServiceBusBatchConsumer<String> consumer = ServiceBusBatchConsumer.<String>builder().processor(processor)
                .publisher(broker).parkingQueue(PARKING).clock(clock).sleeper(clock::advance).build();
        FunctionsHostSimulator host = new FunctionsHostSimulator(broker, clock, QUEUE, true, 32, consumer::process);
        ServiceBusMessageSender sender = ServiceBusMessageSender.builder().publisher(broker).queue(QUEUE)
                .envelope(Envelope.builder().payloadStore(store).offloadAboveBytes(1024).clock(clock).build()).build();
        for (int n = 0; n < 3; n++) {
            assertThat(sender.send(OutboundMessage.builder().body("{\"n\":" + n + "," + payload(4096).substring(1))
                    .groupId("customer-1").build())).isInstanceOf(SendResult.Sent.class);
        }
        assertThat(container.listBlobs().stream().count()).isEqualTo(3);

        // WHEN the host runs until the queue is empty
        host.runUntilIdle(10);

        // THEN the abandoned batch came back whole and its first message, a duplicate now, still found its blob:
        // each is handled once, in order, nothing is parked, and every blob is gone once its batch was completed
        assertThat(host.invocations()).anySatisfy(i -> assertThat(i.failure()).isInstanceOf(SessionRetryException.class));
        assertThat(handled).containsExactly("{\"n\":0,", "{\"n\":1,", "{\"n\":2,");
        assertThat(broker.messages(PARKING)).isEmpty();
        assertThat(container.listBlobs().stream().count()).isZero();
    }
}
