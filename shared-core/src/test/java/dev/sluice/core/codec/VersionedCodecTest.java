package dev.sluice.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VersionedCodecTest {
    /** Version 1: the amount was a decimal number of euros. */
    record OrderV1(String id, double total) {
        Order toOrder() {
            return new Order(id, Math.round(total * 100), "EUR");
        }
    }

    /** Version 2 (current): cents and a currency. */
    record Order(String orderId, long amountCents, String currency) {}

    private static final String V1_BODY = "{\"id\":\"ORD-1\",\"total\":12.34}";
    private static final String V2_BODY = "{\"orderId\":\"ORD-2\",\"amountCents\":999,\"currency\":\"USD\"}";

    private final VersionedCodec<Order> codec = VersionedCodec.<Order>builder("order-created")
            .version(1, JsonCodec.of(OrderV1.class), OrderV1::toOrder)
            .current(2, JsonCodec.of(Order.class))
            .build();

    @Test
    void decode_shouldUseTheCurrentCodec_forTheCurrentVersion() {
        assertThat(decode(V2_BODY, "order-created", "2")).isEqualTo(new Order("ORD-2", 999, "USD"));
    }

    @Test
    void decode_shouldUpcastVersion1_toTheCurrentType() {
        // GIVEN a message an old producer still sends
        // WHEN decoded THEN the handler sees the current type
        assertThat(decode(V1_BODY, "order-created", "1")).isEqualTo(new Order("ORD-1", 1234, "EUR"));
    }

    @Test
    void decode_shouldUseTheLabelledVersionsDecoder_soAMislabelledBodyIsPoison() {
        // GIVEN a v2 body labelled v1: the v1 decoder finds no "total"
        // WHEN decoded THEN it fails instead of guessing the version from the body
        assertThatThrownBy(() -> decode(V2_BODY, "order-created", "1"))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("OrderV1");
    }

    @Test
    void decode_shouldTolerateWhitespaceAroundTheVersion() {
        assertThat(decode(V2_BODY, "order-created", " 2 ")).isEqualTo(new Order("ORD-2", 999, "USD"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"3", "0", "-1"})
    void decode_shouldReject_anUnknownVersion(String version) {
        assertThatThrownBy(() -> decode(V2_BODY, "order-created", version))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("unknown schema-version " + version)
                .hasMessageContaining("order-created");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two", "2.0", "v2", ""})
    void decode_shouldReject_aVersionThatIsNotANumber(String version) {
        assertThatThrownBy(() -> decode(V2_BODY, "order-created", version))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("schema-version");
    }

    @Test
    void decode_shouldReject_anotherMessageType() {
        assertThatThrownBy(() -> decode(V2_BODY, "invoice-created", "2"))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("'invoice-created'")
                .hasMessageContaining("'order-created'");
    }

    @Test
    void decode_shouldReject_aMissingVersion_byDefault() {
        Map<String, String> attributes = Map.of(SluiceAttributes.MESSAGE_TYPE, "order-created");

        assertThatThrownBy(() -> codec.decode(bytes(V2_BODY), attributes))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("schema-version attribute is missing");
    }

    @Test
    void decode_shouldTreatAMissingVersionAsCurrent_whenConfigured() {
        // GIVEN a codec for a topic whose first producers sent no version
        VersionedCodec<Order> lenient = VersionedCodec.<Order>builder("order-created")
                .version(1, JsonCodec.of(OrderV1.class), OrderV1::toOrder)
                .current(2, JsonCodec.of(Order.class))
                .unversionedIsCurrent(true)
                .build();

        // WHEN an unversioned message arrives THEN it is read as the current version
        assertThat(lenient.decode(bytes(V2_BODY), Map.of(SluiceAttributes.MESSAGE_TYPE, "order-created")))
                .isEqualTo(new Order("ORD-2", 999, "USD"));
    }

    @Test
    void decode_shouldReject_anInvalidOldBody() {
        assertThatThrownBy(() -> decode("{\"id\":\"ORD-1\",\"total\":\"twelve\"}", "order-created", "1"))
                .isInstanceOf(DecodingException.class);
    }

    @Test
    void decode_shouldTurnAFailingUpcastIntoADecodingException() {
        // GIVEN an upcast that cannot handle some old bodies
        VersionedCodec<Order> failing = VersionedCodec.<Order>builder("order-created")
                .version(1, JsonCodec.of(OrderV1.class), v1 -> {
                    throw new IllegalArgumentException("negative total");
                })
                .current(2, JsonCodec.of(Order.class))
                .build();

        // WHEN such a message is decoded THEN it is poison, not a retryable handler failure
        assertThatThrownBy(() -> failing.decode(bytes(V1_BODY), attributes("order-created", "1")))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("upcast")
                .hasMessageContaining("negative total");
    }

    @Test
    void decode_shouldTurnANullUpcastIntoADecodingException() {
        VersionedCodec<Order> nulling = VersionedCodec.<Order>builder("order-created")
                .version(1, JsonCodec.of(OrderV1.class), v1 -> null)
                .current(2, JsonCodec.of(Order.class))
                .build();

        assertThatThrownBy(() -> nulling.decode(bytes(V1_BODY), attributes("order-created", "1")))
                .isInstanceOf(DecodingException.class);
    }

    @Test
    void currentAttributes_andEncode_shouldProduceWhatDecodeAccepts() {
        // GIVEN a producer using the same codec
        Order order = new Order("ORD-3", 500, "GBP");

        // WHEN it encodes and labels a message
        Map<String, String> attributes = codec.currentAttributes();
        byte[] body = codec.encode(order);

        // THEN the consumer reads it back
        assertThat(attributes).containsOnly(
                Map.entry(SluiceAttributes.MESSAGE_TYPE, "order-created"),
                Map.entry(SluiceAttributes.SCHEMA_VERSION, "2"));
        assertThat(codec.decode(body, attributes)).isEqualTo(order);
    }

    @Test
    void build_shouldRequireACurrentVersion() {
        assertThatThrownBy(() -> VersionedCodec.<Order>builder("order-created")
                .version(1, JsonCodec.of(OrderV1.class), OrderV1::toOrder)
                .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("current");
    }

    private Order decode(String body, String type, String version) {
        return codec.decode(bytes(body), attributes(type, version));
    }

    private static Map<String, String> attributes(String type, String version) {
        return Map.of(SluiceAttributes.MESSAGE_TYPE, type, SluiceAttributes.SCHEMA_VERSION, version);
    }

    private static byte[] bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
