package dev.sluice.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonCodecTest {
    record Order(String orderId, BigDecimal amount, int quantity) {}

    record Wrapper(String id, Object payload) {}

    private final JsonCodec<Order> codec = JsonCodec.of(Order.class);

    @Test
    void decode_shouldReadAValidBody() {
        Order order = decode("{\"orderId\":\"ORD-2026-000123\",\"amount\":1234.56,\"quantity\":2}");

        assertThat(order).isEqualTo(new Order("ORD-2026-000123", new BigDecimal("1234.56"), 2));
    }

    @Test
    void decode_shouldIgnoreUnknownProperties_soProducersCanAddFields() {
        // GIVEN a producer that already sends a newer field
        String body = "{\"orderId\":\"A-1\",\"amount\":1,\"quantity\":1,\"couponCode\":\"SPRING\",\"meta\":{\"v\":[1,2]}}";

        // WHEN decoded THEN the known fields are read and the rest ignored
        assertThat(decode(body)).isEqualTo(new Order("A-1", BigDecimal.ONE, 1));
    }

    @Test
    void encode_shouldRoundTripThroughDecode() {
        Order order = new Order("A-1", new BigDecimal("99.90"), 3);

        assertThat(codec.decode(codec.encode(order), Map.of())).isEqualTo(order);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"orderId\":\"A-1\",", "not json at all", "{'orderId':'A-1'}", "", "   ",
            "{\"orderId\":\"A-1\",\"amount\":NaN,\"quantity\":1}"})
    void decode_shouldReject_invalidJson(String body) {
        assertThatThrownBy(() -> decode(body)).isInstanceOf(DecodingException.class);
    }

    @Test
    void decode_shouldReject_invalidUtf8() {
        // GIVEN a body whose string value holds a byte that is never valid in UTF-8
        byte[] body = "{\"orderId\":\"A-?\",\"amount\":1,\"quantity\":1}".getBytes(StandardCharsets.US_ASCII);
        body[14] = (byte) 0xff;

        // WHEN decoded THEN it is poison
        assertThatThrownBy(() -> codec.decode(body, Map.of())).isInstanceOf(DecodingException.class);
    }

    @Test
    void decode_shouldReject_aTruncatedMultiByteCharacter() {
        // GIVEN "é" cut after its first byte
        byte[] body = "{\"orderId\":\"caf\u00e9\",\"amount\":1,\"quantity\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] broken = new byte[body.length - 1];
        int cut = new String(body, StandardCharsets.UTF_8).indexOf('\u00e9') + 1;
        System.arraycopy(body, 0, broken, 0, cut);
        System.arraycopy(body, cut + 1, broken, cut, body.length - cut - 1);

        assertThatThrownBy(() -> codec.decode(broken, Map.of())).isInstanceOf(DecodingException.class);
    }

    @Test
    void decode_shouldReject_jsonNull() {
        assertThatThrownBy(() -> decode("null"))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("null");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"orderId\":\"A-1\",\"amount\":1,\"quantity\":1} {\"orderId\":\"A-2\",\"amount\":1,\"quantity\":1}",
            "{\"orderId\":\"A-1\",\"amount\":1,\"quantity\":1}]",
            "{\"orderId\":\"A-1\",\"amount\":1,\"quantity\":1} trailing"})
    void decode_shouldReject_trailingTokens(String body) {
        // a second object behind the first would otherwise be silently dropped
        assertThatThrownBy(() -> decode(body)).isInstanceOf(DecodingException.class);
    }

    @Test
    void decode_shouldReject_10000LevelsOfNesting_withoutStackOverflow() {
        // GIVEN a hostile body nested 10,000 deep inside an untyped field
        String body = "{\"id\":\"A-1\",\"payload\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";

        // WHEN decoded THEN it is a DecodingException (a StackOverflowError would fail this assertion)
        assertThatThrownBy(() -> JsonCodec.of(Wrapper.class).decode(body.getBytes(StandardCharsets.UTF_8), Map.of()))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("nesting");
    }

    @Test
    void decode_shouldReject_deepObjectNesting_withAUserMapperToo() {
        // GIVEN the user's own mapper and 10,000 nested objects
        String body = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        JsonCodec<Object> userCodec = JsonCodec.of(Object.class, new ObjectMapper());

        // WHEN decoded THEN still a DecodingException, never an Error
        assertThatThrownBy(() -> userCodec.decode(body.getBytes(StandardCharsets.UTF_8), Map.of()))
                .isInstanceOf(DecodingException.class);
    }

    @Test
    void decode_shouldAccept_nestingWithinTheLimit() {
        // GIVEN 100 levels, deep but legitimate
        String body = "{\"id\":\"A-1\",\"payload\":" + "[".repeat(100) + "]".repeat(100) + "}";

        Wrapper wrapper = JsonCodec.of(Wrapper.class).decode(body.getBytes(StandardCharsets.UTF_8), Map.of());

        assertThat(wrapper.payload()).isInstanceOf(List.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"orderId\":\"A-1\",\"amount\":\"lots\",\"quantity\":1}",
            "{\"orderId\":\"A-1\",\"amount\":1,\"quantity\":\"two\"}",
            "{\"orderId\":{\"nested\":true},\"amount\":1,\"quantity\":1}",
            "{\"orderId\":\"A-1\",\"amount\":1,\"quantity\":null}",
            "[\"A-1\",1,1]",
            "\"A-1\""})
    void decode_shouldReject_wrongTypes(String body) {
        assertThatThrownBy(() -> decode(body))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("Order");
    }

    @Test
    void decode_shouldReject_aMissingPrimitive_ratherThanInventZero() {
        // GIVEN a body without the quantity (an int): decoding to 0 would ship zero items
        assertThatThrownBy(() -> decode("{\"orderId\":\"A-1\",\"amount\":1}"))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("quantity");
    }

    @Test
    void decodeErrors_shouldNameTheField_butNeverQuoteBodyValues() {
        // GIVEN a body with personal data in a field of the wrong type
        String body = "{\"orderId\":\"A-1\",\"amount\":\"Jane Roe, 12 Main Street\",\"quantity\":1}";

        // WHEN decoded THEN the error says where, not what
        assertThatThrownBy(() -> decode(body))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("amount")
                .hasMessageNotContaining("Jane")
                .hasMessageNotContaining("Main Street");
    }

    private Order decode(String body) {
        return codec.decode(body.getBytes(StandardCharsets.UTF_8), Map.of());
    }
}
