package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.QUEUE;
import static dev.sluice.core.testing.TestMessages.orderJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.pipeline.MessageOutcome.DeadLettered;
import dev.sluice.core.pipeline.MessageOutcome.Duplicate;
import dev.sluice.core.pipeline.MessageOutcome.Processed;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SignaturePolicy;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.testing.MutableClock;
import dev.sluice.core.testing.TestMessages.Order;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Signed messages through the pipeline: the key comes from signed data, and a stale or replayed message is refused. */
class SignedMessagesTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private static final SigningKeys KEYS = SigningKeys.of("k1", Map.of("k1",
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));

    private final MutableClock clock = new MutableClock(T0);
    private final List<String> applied = new CopyOnWriteArrayList<>();
    private final MessageSignatures signatures = MessageSignatures.with(KEYS,
            new SignaturePolicy(Duration.ofHours(1), Duration.ofMinutes(5), false));
    private final BatchProcessor<Order> processor = BatchProcessor.<Order>builder()
            .queueName(QUEUE)
            .handler((message, context) -> applied.add(message.body().orderId()))
            .codec(JsonCodec.of(Order.class))
            .idempotency(IdempotencyOptions.builder().store(new InMemoryIdempotencyStore()).build())
            .signatures(signatures)
            .clock(clock)
            .build();

    private IncomingMessage signed(String brokerId, String orderId, Map<String, String> producer) {
        byte[] body = orderJson(orderId, 100).getBytes(StandardCharsets.UTF_8);
        Map<String, String> attributes = new HashMap<>(producer);
        attributes.putAll(signatures.sign(body, attributes, clock.instant()));
        return IncomingMessage.builder().providerMessageId(brokerId).body(body).attributes(attributes).sourceQueue(QUEUE).build();
    }

    private MessageOutcome run(IncomingMessage message) {
        return processor.process(List.of(message), clock.instant().plus(Duration.ofMinutes(5))).outcomes().getFirst();
    }

    private static IncomingMessage rebrokered(IncomingMessage sent, String brokerId) {
        return IncomingMessage.builder().providerMessageId(brokerId).body(sent.body()).attributes(sent.attributes())
                .sourceQueue(QUEUE).build();
    }

    @Test
    void aSignedMessageReplayedUnderANewBrokerId_isADuplicate_appliedOnce() {
        // GIVEN a signed payment whose producer set only its own message id
        IncomingMessage original = signed("broker-1", "o-1", Map.of(SluiceAttributes.MESSAGE_ID, "pay-1"));

        // WHEN it is processed, then sent again by someone with send rights, under a new broker id
        MessageOutcome first = run(original);
        MessageOutcome replay = run(rebrokered(original, "broker-2"));

        // THEN the replay is a duplicate: the key came from the signed producer id, not the broker's id
        assertThat(first).isInstanceOf(Processed.class);
        assertThat(replay).isInstanceOf(Duplicate.class);
        assertThat(applied).containsExactly("o-1");
    }

    @Test
    void aSignedMessageWithoutASignedKeySource_isPoison_notKeyedByTheBrokerId() {
        // GIVEN a signed message with neither idempotency-key nor sluice-message-id, and no key pointer
        IncomingMessage unkeyed = signed("broker-1", "o-2", Map.of());

        // WHEN processed THEN it is dead-lettered with a reason that says where the key must come from
        assertThat(run(unkeyed)).isInstanceOfSatisfying(DeadLettered.class, dead -> {
            assertThat(dead.kind()).isEqualTo(FailureKind.POISON);
            assertThat(dead.envelope().errorMessage()).contains("signed data only").contains(SluiceAttributes.MESSAGE_ID);
        });
        assertThat(applied).isEmpty();
    }

    @Test
    void aStaleSignedMessage_isRefused_withTheReasonInTheEnvelope() {
        // GIVEN a message signed now and delivered after the maximum age
        IncomingMessage message = signed("broker-1", "o-3", Map.of(SluiceAttributes.IDEMPOTENCY_KEY, "pay-3"));
        clock.advance(Duration.ofHours(1).plusSeconds(1));

        // WHEN processed THEN it is refused as stale, never applied
        assertThat(run(message)).isInstanceOfSatisfying(DeadLettered.class, dead -> {
            assertThat(dead.kind()).isEqualTo(FailureKind.SIGNATURE_INVALID);
            assertThat(dead.envelope().errorType()).isEqualTo("SignatureStale");
            assertThat(dead.envelope().errorMessage()).contains("3601 s ago");
        });
        assertThat(applied).isEmpty();
    }

    @Test
    void theIdempotencyKeyAttributeChangedOnASignedMessage_isRefused() {
        // GIVEN a signed payment, re-sent with a new idempotency key
        IncomingMessage original = signed("broker-1", "o-4", Map.of(SluiceAttributes.IDEMPOTENCY_KEY, "pay-4"));
        Map<String, String> rekeyed = new HashMap<>(original.attributes());
        rekeyed.put(SluiceAttributes.IDEMPOTENCY_KEY, "pay-4-again");

        // WHEN both are processed THEN only the original is applied; the re-keyed copy is refused
        assertThat(run(original)).isInstanceOf(Processed.class);
        assertThat(run(IncomingMessage.builder().providerMessageId("broker-2").body(original.body()).attributes(rekeyed)
                .sourceQueue(QUEUE).build())).isInstanceOfSatisfying(DeadLettered.class,
                dead -> assertThat(dead.kind()).isEqualTo(FailureKind.SIGNATURE_INVALID));
        assertThat(applied).containsExactly("o-4");
    }
}
