package dev.sluice.core.sender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.codec.PayloadCompression;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.observability.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import dev.sluice.core.pipeline.IncomingMessage;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.testing.SenderRoundTrip;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The envelope writes what the consumer reads: the pipeline accepts what it seals, signed or not, gzip or not. */
class EnvelopeTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    @Property(tries = 50)
    void aSealedMessage_passesTheConsumersChecks(@ForAll("cases") SenderRoundTrip.Case c) {
        // GIVEN a message sealed as the case says
        Envelope.Sealed sealed = c.envelope().seal(c.outbound());
        // WHEN it arrives unchanged THEN the handler sees it as sent, keyed as sent, its signature valid
        IncomingMessage received = IncomingMessage.builder().providerMessageId("broker-1").body(sealed.body())
                .attributes(sealed.attributes()).sourceQueue("orders").build();
        SenderRoundTrip.assertArrivesAsSent(c, sealed.messageId(), received, "orders");
    }

    @Provide
    Arbitrary<SenderRoundTrip.Case> cases() {
        return SenderRoundTrip.cases();
    }

    @Test
    void seal_signsTheMessageIdAndKey_beforeSigning() {
        Envelope envelope = Envelope.builder().signingKeys(SenderRoundTrip.KEYS).messageIds(() -> "m-1")
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
        Envelope.Sealed sealed = envelope.seal(OutboundMessage.builder().body("{\"id\":\"o-1\"}").idempotencyKey("o-1")
                .messageType("order").schemaVersion("2").causationId("c-0").source("checkout").build());

        assertThat(sealed.attributes()).containsEntry(SluiceAttributes.MESSAGE_ID, "m-1")
                .containsEntry(SluiceAttributes.IDEMPOTENCY_KEY, "o-1")
                .containsEntry(SluiceAttributes.SENT_AT, "2026-12-05T10:00:00Z")
                .containsEntry(SluiceAttributes.SIGNATURE_VERSION, "1")
                .containsEntry(SluiceAttributes.KEY_ID, "k1")
                .containsEntry(SluiceAttributes.CAUSATION_ID, "c-0")
                .containsEntry(SluiceAttributes.SOURCE, "checkout");
        // changing a signed attribute breaks the signature: the id and key were covered
        Map<String, String> rekeyed = new java.util.HashMap<>(sealed.attributes());
        rekeyed.put(SluiceAttributes.MESSAGE_ID, "m-2");
        assertThat(MessageSignatures.with(SenderRoundTrip.KEYS).verify(sealed.body(), rekeyed, T0))
                .isInstanceOf(MessageSignatures.Verification.Invalid.class);
        // causation id and source are outside the signature
        Map<String, String> resourced = new java.util.HashMap<>(sealed.attributes());
        resourced.put(SluiceAttributes.SOURCE, "elsewhere");
        assertThat(MessageSignatures.with(SenderRoundTrip.KEYS).verify(sealed.body(), resourced, T0))
                .isInstanceOf(MessageSignatures.Verification.Valid.class);
    }

    @Test
    void seal_carriesTheCurrentTraceContext() {
        // GIVEN a producer span current on this thread
        try (SdkTracerProvider provider = SdkTracerProvider.builder().build()) {
            Span span = provider.get("test").spanBuilder("checkout").startSpan();
            Envelope.Sealed sealed;
            try (Scope ignored = span.makeCurrent()) {
                // WHEN a message is sealed
                sealed = Envelope.builder().build().seal(OutboundMessage.builder().body("{}").build());
            } finally {
                span.end();
            }
            // THEN its consumer continues the producer's trace
            assertThat(Tracing.producerContext(sealed.attributes(), null).getTraceId())
                    .isEqualTo(span.getSpanContext().getTraceId());
        }
    }

    @Test
    void seal_compressesOnlyAboveTheThreshold() {
        Envelope envelope = Envelope.builder().compressAboveBytes(10).build();
        byte[] small = "0123456789".getBytes(StandardCharsets.UTF_8);
        byte[] large = "0123456789A".getBytes(StandardCharsets.UTF_8);

        Envelope.Sealed kept = envelope.seal(OutboundMessage.builder().body(small).build());
        Envelope.Sealed gzipped = envelope.seal(OutboundMessage.builder().body(large).build());

        assertThat(kept.body()).isEqualTo(small);
        assertThat(kept.attributes()).doesNotContainKey(SluiceAttributes.CONTENT_ENCODING).containsKey(SluiceAttributes.SENT_AT);
        assertThat(gzipped.attributes()).containsEntry(SluiceAttributes.CONTENT_ENCODING, PayloadCompression.GZIP);
        assertThat(PayloadCompression.decodePayload(gzipped.body(), gzipped.attributes(), 1024)).isEqualTo(large);
        assertThat(kept.messageId()).isNotEqualTo(gzipped.messageId());
    }

    @Test
    void build_namesTheProperty_whenAValueIsBad() {
        assertThatThrownBy(() -> OutboundMessage.builder().build()).hasMessageContaining("body");
        assertThatThrownBy(() -> OutboundMessage.builder().body("x").delay(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> OutboundMessage.builder().body("{\"a\":1}").idempotencyKeyPointer("/id").build())
                .hasMessageContaining("idempotencyKeyPointer '/id'");
        assertThatThrownBy(() -> OutboundMessage.builder().body("x").messageType(" ").build()).hasMessageContaining("messageType");
        assertThatThrownBy(() -> OutboundMessage.builder().attribute(SluiceAttributes.SIGNATURE, "forged"))
                .hasMessageContaining("Sluice's");
        assertThatThrownBy(() -> Envelope.builder().compressAboveBytes(-1).build()).hasMessageContaining("compressAboveBytes");
    }

    @Test
    void sendMetrics_countByStatus_andTime() {
        InMemoryMetrics metrics = new InMemoryMetrics();
        SendMetrics.record(metrics, "orders", List.of(new SendResult.Sent("a", "p-a"), new SendResult.Sent("b", "p-b"),
                new SendResult.Failed("c", "too large")), Duration.ofMillis(5));

        assertThat(metrics.total(SluiceMetrics.SENT, SluiceMetrics.DIM_STATUS, SendMetrics.SENT)).isEqualTo(2);
        assertThat(metrics.total(SluiceMetrics.SENT, SluiceMetrics.DIM_STATUS, SendMetrics.FAILED)).isEqualTo(1);
    }
}
