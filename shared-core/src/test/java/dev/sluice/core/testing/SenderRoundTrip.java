package dev.sluice.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.spi.BeginRequest;
import dev.sluice.core.spi.BeginResult;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.spi.IdempotencyTransaction;
import dev.sluice.core.spi.Release;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.jspecify.annotations.Nullable;

/**
 * The sender's round-trip property, shared by every provider's test: random messages, sealed by an {@link Envelope},
 * received through a provider and run through the consumer's {@link BatchProcessor} configured with the same keys and
 * key pointer, reach the handler exactly as sent.
 */
public final class SenderRoundTrip {
    /** The keys both sides use when a case is signed. */
    public static final SigningKeys KEYS = SigningKeys.of("k1", Map.of("k1",
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
    /** The pointer the body carries its key at. */
    public static final String POINTER = "/id";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SenderRoundTrip() {}

    /** Where the idempotency key comes from. */
    public enum KeySource { EXPLICIT, POINTER, NONE }

    /**
     * One random message.
     *
     * @param id the body's {@code id}
     * @param text the body's text
     * @param type the message type
     * @param version the schema version
     * @param correlationId the correlation id
     * @param keySource where the key comes from
     * @param gzip whether the envelope compresses
     * @param signed whether both sides use {@link #KEYS}
     */
    public record Case(String id, String text, String type, String version, String correlationId, KeySource keySource,
                       boolean gzip, boolean signed) {
        /** @return the body: JSON with the id and text */
        public String body() {
            try {
                return JSON.writeValueAsString(Map.of("id", id, "text", text));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** @return the key the consumer must resolve, when it is known before the send */
        public Optional<String> expectedKey() {
            return switch (keySource) {
                case EXPLICIT -> Optional.of("key-" + id);
                case POINTER -> Optional.of(id);
                case NONE -> Optional.empty();
            };
        }

        /** @return the message to send */
        public OutboundMessage outbound() {
            OutboundMessage.Builder b = OutboundMessage.builder().body(body()).messageType(type).schemaVersion(version)
                    .correlationId(correlationId).causationId("cause-" + id).source("round-trip");
            return switch (keySource) {
                case EXPLICIT -> b.idempotencyKey("key-" + id).build();
                case POINTER -> b.idempotencyKeyPointer(POINTER).build();
                case NONE -> b.build();
            };
        }

        /** @return the producer's envelope for this case */
        public Envelope envelope() {
            return Envelope.builder().signingKeys(signed ? KEYS : null).compressAboveBytes(gzip ? 0 : Integer.MAX_VALUE).build();
        }

        @Override
        public String toString() {
            return "Case[" + keySource + (gzip ? ", gzip" : "") + (signed ? ", signed" : "") + ", type=" + type
                    + ", version=" + version + ", body=" + body() + "]";
        }
    }

    /** @return random cases: unicode text (characters SQS accepts), short ids, every key source, gzip or not, signed or not */
    public static Arbitrary<Case> cases() {
        Arbitrary<String> token = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-', '.', '_')
                .ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u024f')
                .withCharRange('\u4e00', '\u4e2f').withChars('\n', '\t', '"', '\\').ofMaxLength(300);
        return Combinators.combine(token, text, token, Arbitraries.integers().between(1, 9).map(String::valueOf), token,
                Arbitraries.of(KeySource.class), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Case::new);
    }

    /** What the consumer saw. */
    public static final class Seen {
        final Map<String, String> bodies = new ConcurrentHashMap<>();
        final Map<String, Map<String, String>> attributes = new ConcurrentHashMap<>();
        final List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
    }

    /**
     * @param c the case
     * @param queue the queue's name
     * @param seen where the handler and the store record what they saw
     * @return the consumer's processor, configured like the producer
     */
    public static BatchProcessor<String> processor(Case c, String queue, Seen seen) {
        MessageCodec<String> text = new MessageCodec<>() {
            @Override
            public String decode(byte[] payload, Map<String, String> attributes) {
                return new String(payload, StandardCharsets.UTF_8);
            }

            @Override
            public byte[] encode(String body) {
                return body.getBytes(StandardCharsets.UTF_8);
            }
        };
        return BatchProcessor.<String>builder().queueName(queue).codec(text)
                .handler((message, context) -> {
                    String id = message.attributes().get(SluiceAttributes.MESSAGE_ID);
                    seen.bodies.put(id, message.body());
                    seen.attributes.put(id, message.attributes());
                })
                .idempotency(IdempotencyOptions.builder().store(new KeyRecording(seen))
                        .keyPointer(c.keySource() == KeySource.POINTER ? POINTER : null).build())
                .signatures(c.signed() ? MessageSignatures.with(KEYS) : null)
                .build();
    }

    /**
     * Runs the received messages through the consumer and checks each reached the handler as sent.
     *
     * @param c the case
     * @param sluiceMessageId the id the sender reported
     * @param received the message as the provider's adapter converts it
     * @param queue the queue's name
     */
    public static void assertArrivesAsSent(Case c, String sluiceMessageId, IncomingMessage received, String queue) {
        Seen seen = new Seen();
        BatchResult result = processor(c, queue, seen).process(List.of(received), Instant.now().plus(Duration.ofMinutes(1)));
        assertThat(result.outcomes()).as("%s", c).singleElement().isInstanceOf(MessageOutcome.Processed.class);
        assertThat(seen.bodies).as("%s", c).containsExactly(Map.entry(sluiceMessageId, c.body()));
        Map<String, String> attributes = seen.attributes.get(sluiceMessageId);
        assertThat(attributes).containsEntry(SluiceAttributes.MESSAGE_TYPE, c.type())
                .containsEntry(SluiceAttributes.SCHEMA_VERSION, c.version())
                .containsEntry(SluiceAttributes.CORRELATION_ID, c.correlationId())
                .containsEntry(SluiceAttributes.CAUSATION_ID, "cause-" + c.id())
                .containsEntry(SluiceAttributes.SOURCE, "round-trip")
                .containsKey(SluiceAttributes.SENT_AT);
        if (c.gzip()) {
            assertThat(attributes).containsEntry(SluiceAttributes.CONTENT_ENCODING, "gzip");
        }
        String expectedKey = c.expectedKey().orElse(c.signed() ? sluiceMessageId : received.id());
        assertThat(seen.keys).as("%s", c).containsExactly(expectedKey);
        if (c.signed()) {
            assertThat(MessageSignatures.with(KEYS).verify(received.body(), received.attributes(), Instant.now()))
                    .isEqualTo(new MessageSignatures.Verification.Valid("k1", false));
        } else {
            assertThat(attributes).doesNotContainKey(SluiceAttributes.SIGNATURE);
        }
    }

    /** An in-memory store that records the key of every begin (one message per batch here). */
    private static final class KeyRecording implements IdempotencyStore {
        private final InMemoryIdempotencyStore delegate = new InMemoryIdempotencyStore();
        private final Seen seen;

        KeyRecording(Seen seen) {
            this.seen = seen;
        }

        @Override
        public BeginResult begin(BeginRequest request) {
            seen.keys.add(request.key());
            return delegate.begin(request);
        }

        @Override
        public void complete(BeginResult.Acquired lease, Instant expiresAt, @Nullable IdempotencyTransaction transaction) {
            delegate.complete(lease, expiresAt, transaction);
        }

        @Override
        public void release(BeginResult.Acquired lease, Release release) {
            delegate.release(lease, release);
        }
    }
}
