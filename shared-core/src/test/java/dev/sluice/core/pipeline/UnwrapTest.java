package dev.sluice.core.pipeline;

import static dev.sluice.core.testing.TestMessages.QUEUE;
import static dev.sluice.core.testing.TestMessages.order;
import static dev.sluice.core.testing.TestMessages.orderJson;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.codec.PayloadCompression;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.idempotency.InMemoryIdempotencyStore;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.testing.TestMessages.Order;
import dev.sluice.core.testing.TestMessages;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnwrapTest {
    private static final java.time.Clock CLOCK = java.time.Clock.fixed(java.time.Instant.parse("2026-12-05T10:00:00Z"), java.time.ZoneOffset.UTC);
    private static final StoredPayloads NO_STORE = new StoredPayloads(null, true,
            new Telemetry("orders", dev.sluice.core.spi.MetricsSink.NOOP, new dev.sluice.core.observability.JsonLogSink()),
            dev.sluice.core.observability.Tracing.noop());

    private final JsonCodec<Order> codec = JsonCodec.of(Order.class);

    @Test
    void aValidBody_isDecoded_withoutAKeyWhenThereIsNoIdempotency() {
        Unwrap.Result<Order> result = new Unwrap<>(codec, null, null, 1024, CLOCK, NO_STORE).apply(order("o-1", 5), 1);

        assertThat(result).isInstanceOfSatisfying(Unwrap.Decoded.class, d -> {
            assertThat(d.message().body()).isEqualTo(new Order("o-1", 5));
            assertThat(d.key()).isNull();
        });
    }

    @Test
    void aGzipBody_isInflated_andWithIdempotencyItsKeyIsResolved() {
        IdempotencyOptions options = IdempotencyOptions.builder().store(new InMemoryIdempotencyStore()).build();
        IncomingMessage compressed = IncomingMessage.builder().providerMessageId("gz")
                .body(PayloadCompression.gzipBase64(orderJson("o-gz", 9).getBytes(StandardCharsets.UTF_8)))
                .attributes(PayloadCompression.attributes()).sourceQueue(QUEUE).build();

        Unwrap.Result<Order> result = new Unwrap<>(codec, null, options, 1024, CLOCK, NO_STORE).apply(compressed, 1);

        assertThat(result).isInstanceOfSatisfying(Unwrap.Decoded.class, d -> {
            assertThat(new String(d.payload(), StandardCharsets.UTF_8)).isEqualTo(orderJson("o-gz", 9));
            assertThat(d.key()).isEqualTo("gz");
        });
    }

    @Test
    void anUndecodableBody_isRejectedAsPoison_withTheAttemptItWasOn() {
        Unwrap.Result<Order> result = new Unwrap<>(codec, null, null, 1024, CLOCK, NO_STORE)
                .apply(TestMessages.message("bad", "not json", null, Map.of()), 2);

        assertThat(result).isInstanceOfSatisfying(Unwrap.Refused.class, r -> {
            assertThat(r.verdict().kind()).isEqualTo(FailureKind.POISON);
            assertThat(r.verdict().attempt()).isEqualTo(2);
        });
    }

    @Test
    void aMissingSignature_isRejectedBeforeDecoding() {
        SigningKeys keys = SigningKeys.of("k1", Map.of("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));

        Unwrap.Result<Order> result = new Unwrap<>(codec, MessageSignatures.with(keys), null, 1024, CLOCK, NO_STORE).apply(order("o-2", 1), 1);

        assertThat(result).isInstanceOfSatisfying(Unwrap.Refused.class, r -> {
            assertThat(r.verdict().kind()).isEqualTo(FailureKind.SIGNATURE_INVALID);
            assertThat(r.verdict().reason()).isEqualTo("signature missing");
        });
    }
}
