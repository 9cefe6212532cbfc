package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.QUEUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.claimcheck.MissingPayloadException;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Duplicate;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.pipeline.MessageOutcome.Retry;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.testing.InMemoryPayloadStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Claim-checked messages through the pipeline, sealed by the real {@link Envelope}: the stored payload is read before
 * the signature check and decoding, deleted only after success, and every way it can be wrong ends in the dead-letter
 * queue with a reason, or comes back when the store is down.
 */
class ClaimCheckPipelineTest {
    record Document(String id, String text) {}

    private static final SigningKeys KEYS = SigningKeys.of("k1", Map.of("k1",
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
    private static final int LIMIT = 256 * 1024;

    private final InMemoryPayloadStore store = new InMemoryPayloadStore(PayloadPointer.Store.S3, "payloads");
    private final List<Document> handled = new CopyOnWriteArrayList<>();
    private final InMemoryIdempotencyStore records = new InMemoryIdempotencyStore();
    // no compression, so sizes are the text's; one case below compresses and stores
    private final Envelope envelope = Envelope.builder().signingKeys(KEYS).payloadStore(store)
            .compressAboveBytes(Integer.MAX_VALUE).build();

    private BatchProcessor.Builder<Document> consumer() {
        return BatchProcessor.<Document>builder().queueName(QUEUE).codec(JsonCodec.of(Document.class))
                .handler((message, context) -> handled.add(message.body()))
                .idempotency(IdempotencyOptions.builder().store(records).build())
                .signatures(MessageSignatures.with(KEYS))
                .payloadStore(store);
    }

    /** Text gzip cannot shrink much (a fixed pseudo-random sequence), so only claim-check makes it fit. */
    private static String text(int bytes) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(bytes);
        StringBuilder text = new StringBuilder(bytes);
        for (int i = 0; i < bytes; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static Envelope.Sealed sealed(Envelope envelope, String id, int textBytes) {
        String body = "{\"id\":\"" + id + "\",\"text\":\"" + text(textBytes) + "\"}";
        return envelope.seal(OutboundMessage.builder().body(body).idempotencyKey(id).build(), LIMIT);
    }

    private static IncomingMessage received(String brokerId, Envelope.Sealed sealed) {
        return IncomingMessage.builder().providerMessageId(brokerId).body(sealed.body()).attributes(sealed.attributes())
                .sourceQueue(QUEUE).build();
    }

    /** Processes one message and settles its batch, as an adapter does once the broker will hear of it. */
    private static MessageOutcome run(BatchProcessor<Document> processor, IncomingMessage message) {
        BatchResult result = processor.process(List.of(message), Instant.now().plus(Duration.ofMinutes(1)));
        processor.settled(result);
        return result.outcomes().getFirst();
    }

    @Test
    void aBodyOverTheLimit_isStored_read_handedOverExactly_andDeletedAfterSuccess() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 400 * 1024);
        assertThat(sealed.stored()).isNotNull();
        assertThat(sealed.body().length).isLessThan(200);
        assertThat(sealed.attributes()).containsEntry(ClaimCheck.SIZE_ATTRIBUTE, Integer.toString(400 * 1024 + "{\"id\":\"d-1\",\"text\":\"\"}".length()))
                .containsEntry(SluiceAttributes.CLAIM_CHECK, new String(sealed.body(), StandardCharsets.UTF_8));
        assertThat(store.size()).isEqualTo(1);

        MessageOutcome outcome = run(consumer().build(), received("m-1", sealed));

        assertThat(outcome).isInstanceOf(Processed.class);
        assertThat(handled).singleElement().isEqualTo(new Document("d-1", text(400 * 1024)));
        assertThat(store.size()).isZero();
    }

    @Test
    void aCompressedBodyStillOverTheLimit_isStoredCompressed_andInflatedForTheHandler() {
        Envelope compressing = Envelope.builder().signingKeys(KEYS).payloadStore(store).build();
        Envelope.Sealed sealed = sealed(compressing, "d-1", 1024 * 1024);
        assertThat(sealed.stored()).isNotNull();
        assertThat(sealed.attributes()).containsEntry(SluiceAttributes.CONTENT_ENCODING, "gzip");

        assertThat(run(consumer().build(), received("m-1", sealed))).isInstanceOf(Processed.class);

        assertThat(handled).singleElement().isEqualTo(new Document("d-1", text(1024 * 1024)));
    }

    @Test
    void discardingAMessageNotSent_deletesItsStoredPayload() {
        Envelope.Sealed stored = sealed(envelope, "d-1", 300 * 1024);
        Envelope.Sealed inline = sealed(envelope, "d-2", 100);

        assertThat(envelope.discard(stored)).isTrue();
        assertThat(envelope.discard(inline)).isFalse();
        assertThat(store.size()).isZero();
    }

    @Test
    void aBodyThatFits_travelsInTheMessage() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 1000);

        assertThat(sealed.stored()).isNull();
        assertThat(sealed.attributes()).doesNotContainKeys(ClaimCheck.SIZE_ATTRIBUTE, SluiceAttributes.CLAIM_CHECK);
        assertThat(store.size()).isZero();
    }

    @Test
    void theThreshold_storesBodiesThatWouldFit() {
        Envelope small = Envelope.builder().payloadStore(store).offloadAboveBytes(1024).build();

        assertThat(sealed(small, "d-1", 2048).stored()).isNotNull();
        assertThat(sealed(small, "d-2", 100).stored()).isNull();
    }

    @Test
    void aBodyThatFitsButNotWithItsHeaders_isStored() {
        // the body alone is under the limit; with the attributes a transport counts, it is not
        Envelope.Sealed sealed = sealed(envelope, "d-1", LIMIT - 300);

        assertThat(sealed.stored()).isNotNull();
    }

    @Test
    void untilTheBatchIsSettled_thePayloadStays_soAnAbandonedBatchsSuccessesFindItAgain() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        BatchProcessor<Document> processor = consumer().build();

        // the host abandons this batch (a Service Bus session waiting out a retry): the adapter does not settle it
        BatchResult abandoned = processor.process(List.of(received("m-1", sealed)), Instant.now().plus(Duration.ofMinutes(1)));
        assertThat(abandoned.outcomes()).singleElement().isInstanceOf(Processed.class);
        assertThat(store.size()).isEqualTo(1);

        // redelivered, it is a duplicate that still reads its payload; settled, the payload goes
        assertThat(run(processor, received("m-1", sealed))).isInstanceOf(Duplicate.class);
        assertThat(store.size()).isZero();
        assertThat(handled).hasSize(1);
    }

    @Test
    void aDeliveryAfterTheSuccessDeletedThePayload_isADuplicate_notPoison() {
        // GIVEN a signed message handled and settled (its payload deleted), then delivered again (the function died
        // before the broker heard of the success, or SQS delivered it twice)
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        BatchProcessor<Document> processor = consumer().build();
        assertThat(run(processor, received("m-1", sealed))).isInstanceOf(Processed.class);
        assertThat(store.size()).isZero();

        // THEN the record under its key (the idempotency-key attribute) says it is done: a duplicate, acknowledged
        assertThat(run(processor, received("m-1", sealed))).isInstanceOf(Duplicate.class);
        assertThat(handled).hasSize(1);
    }

    @Test
    void aDeliveryAfterTheSuccess_withoutAKeyAttribute_findsItsRecordByTheSignedProducerId() {
        Envelope.Sealed sealed = envelope.seal(OutboundMessage.builder()
                .body("{\"id\":\"d-2\",\"text\":\"" + text(300 * 1024) + "\"}").build(), LIMIT);
        assertThat(sealed.attributes()).doesNotContainKey(SluiceAttributes.IDEMPOTENCY_KEY);
        BatchProcessor<Document> processor = consumer().build();
        assertThat(run(processor, received("m-1", sealed))).isInstanceOf(Processed.class);

        assertThat(run(processor, received("m-2", sealed))).isInstanceOf(Duplicate.class);
    }

    @Test
    void aMissingPayload_whoseKeyOnlyThePayloadCouldGive_staysPoison() {
        // a key pointer into the body, and no key attribute: without the payload its record cannot be found
        Envelope.Sealed sealed = envelope.seal(OutboundMessage.builder()
                .body("{\"id\":\"d-3\",\"text\":\"" + text(300 * 1024) + "\"}").build(), LIMIT);
        BatchProcessor<Document> processor = consumer().idempotency(IdempotencyOptions.builder().store(records)
                .keyPointer("/id").build()).build();
        assertThat(run(processor, received("m-1", sealed))).isInstanceOf(Processed.class);

        assertThat(run(processor, received("m-1", sealed))).isInstanceOfSatisfying(DeadLettered.class,
                dead -> assertThat(dead.kind()).isEqualTo(FailureKind.POISON));
    }

    @Test
    void keepingPayloads_leavesTheObjectForTheLifecycleRule() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);

        assertThat(run(consumer().deletePayloadsAfterSuccess(false).build(), received("m-1", sealed)))
                .isInstanceOf(Processed.class);

        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void aFailedHandler_keepsThePayload_forTheRetryAndTheDeadLetter() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        BatchProcessor<Document> failing = consumer().handler((message, context) -> {
            throw new IllegalStateException("downstream down");
        }).build();

        assertThat(run(failing, received("m-1", sealed))).isInstanceOf(Retry.class);

        assertThat(store.size()).isEqualTo(1);
        assertThat(run(consumer().build(), received("m-1", sealed))).isInstanceOf(Processed.class);
        assertThat(store.size()).isZero();
    }

    @Test
    void aMissingObject_isPoison_namingIt_andTheMessageKeepsItsPointer() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        store.delete(sealed.stored());

        MessageOutcome outcome = run(consumer().build(), received("m-1", sealed));

        assertThat(outcome).isInstanceOfSatisfying(DeadLettered.class, dead -> {
            assertThat(dead.kind()).isEqualTo(FailureKind.POISON);
            assertThat(dead.envelope().errorType()).isEqualTo(MissingPayloadException.class.getName());
            assertThat(dead.reason()).contains(sealed.stored().toString()).contains("missing");
            assertThat(dead.message().body()).isEqualTo(sealed.body());
        });
        assertThat(handled).isEmpty();
    }

    @Test
    void anUnreachableStore_bringsTheMessageBack_withoutUsingAnAttempt() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        store.failing(true);

        MessageOutcome outcome = run(consumer().build(), received("m-1", sealed));

        assertThat(outcome).isInstanceOfSatisfying(Retry.class, retry -> assertThat(retry.attemptsUsed()).isZero());
        store.failing(false);
        assertThat(run(consumer().build(), received("m-1", sealed))).isInstanceOf(Processed.class);
        assertThat(handled).hasSize(1);
    }

    @Test
    void aTamperedStoredPayload_failsTheSignature() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        PayloadPointer pointer = sealed.stored();
        // an attacker who can write the bucket replaces the object under the same pointer
        store.delete(pointer);
        byte[] forged = ("{\"id\":\"d-1\",\"text\":\"forged\"}").getBytes(StandardCharsets.UTF_8);
        PayloadPointer other = store.put(forged);
        Map<String, String> attributes = new HashMap<>(sealed.attributes());
        String moved = ClaimCheck.format(other);
        attributes.put(SluiceAttributes.CLAIM_CHECK, moved);
        IncomingMessage swapped = IncomingMessage.builder().providerMessageId("m-1")
                .body(moved.getBytes(StandardCharsets.UTF_8)).attributes(attributes).sourceQueue(QUEUE).build();

        MessageOutcome outcome = run(consumer().build(), swapped);

        assertThat(outcome).isInstanceOfSatisfying(DeadLettered.class,
                dead -> assertThat(dead.kind()).isEqualTo(FailureKind.SIGNATURE_INVALID));
        assertThat(handled).isEmpty();
    }

    @Test
    void aBodyPointerThatIsNotTheSignedOne_isPoison() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        PayloadPointer other = store.put(new byte[] {'{', '}'});
        IncomingMessage swapped = IncomingMessage.builder().providerMessageId("m-1")
                .body(ClaimCheck.format(other).getBytes(StandardCharsets.UTF_8)).attributes(sealed.attributes())
                .sourceQueue(QUEUE).build();

        assertThat(run(consumer().build(), swapped)).isInstanceOfSatisfying(DeadLettered.class, dead -> {
            assertThat(dead.kind()).isEqualTo(FailureKind.POISON);
            assertThat(dead.reason()).contains(SluiceAttributes.CLAIM_CHECK);
        });
    }

    @Test
    void aPointerWithoutAStore_orToAnotherKindOfStore_isPoison() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        BatchProcessor<Document> storeless = consumer().payloadStore(null).build();
        BatchProcessor<Document> blobReader = consumer()
                .payloadStore(new InMemoryPayloadStore(PayloadPointer.Store.BLOB, "payloads")).build();

        assertThat(run(storeless, received("m-1", sealed))).isInstanceOfSatisfying(DeadLettered.class,
                dead -> assertThat(dead.reason()).contains("SLUICE_PAYLOAD_STORE"));
        assertThat(run(blobReader, received("m-2", sealed))).isInstanceOfSatisfying(DeadLettered.class,
                dead -> assertThat(dead.reason()).contains("S3").contains("BLOB"));
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void aPointerIntoAnotherBucket_isPoison_andThatBucketIsNeitherReadNorTouched() {
        InMemoryPayloadStore secrets = new InMemoryPayloadStore(PayloadPointer.Store.S3, "secrets");
        PayloadPointer elsewhere = secrets.put("{\"id\":\"x\",\"text\":\"secret\"}".getBytes(StandardCharsets.UTF_8));
        // an unsigned consumer, and a message whose pointer names a bucket the function's role might also reach
        BatchProcessor<Document> unsigned = consumer().signatures(null).build();
        IncomingMessage crafted = IncomingMessage.builder().providerMessageId("m-1")
                .body(ClaimCheck.format(elsewhere).getBytes(StandardCharsets.UTF_8))
                .attributes(Map.of(ClaimCheck.SIZE_ATTRIBUTE, "30")).sourceQueue(QUEUE).build();

        assertThat(run(unsigned, crafted)).isInstanceOfSatisfying(DeadLettered.class, dead -> {
            assertThat(dead.kind()).isEqualTo(FailureKind.POISON);
            assertThat(dead.reason()).contains("'secrets'").contains("'payloads'");
        });
        assertThat(handled).isEmpty();
        assertThat(secrets.size()).isEqualTo(1);
    }

    @Test
    void anObjectOverTheConsumersCap_isPoison() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);

        assertThat(run(consumer().maxPayloadBytes(64 * 1024).build(), received("m-1", sealed)))
                .isInstanceOfSatisfying(DeadLettered.class, dead -> assertThat(dead.kind()).isEqualTo(FailureKind.POISON));
    }

    @Test
    void aDuplicateDelivery_whileThePayloadIsStillThere_isADuplicate_andDeletesIt() {
        Envelope.Sealed sealed = sealed(envelope, "d-1", 300 * 1024);
        BatchProcessor<Document> keeping = consumer().deletePayloadsAfterSuccess(false).build();
        assertThat(run(keeping, received("m-1", sealed))).isInstanceOf(Processed.class);

        assertThat(run(consumer().build(), received("m-1", sealed))).isInstanceOf(Duplicate.class);

        assertThat(handled).hasSize(1);
        assertThat(store.size()).isZero();
    }

    @Test
    void configNamingAStore_refusesToBuildWithoutOne() {
        SluiceConfig config = SluiceConfig.builder().queueName(QUEUE).payloadStore("s3://payloads/orders").build();

        assertThatThrownBy(() -> BatchProcessor.<Document>builder().config(config).codec(JsonCodec.of(Document.class))
                .handler((message, context) -> { }).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SLUICE_PAYLOAD_STORE")
                .hasMessageContaining("s3://payloads/orders/");
    }
}
