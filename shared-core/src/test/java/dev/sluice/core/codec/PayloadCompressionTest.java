package dev.sluice.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadCompressionTest {
    private static final int CAP = 64 * 1024;
    private static final Map<String, String> GZIP = PayloadCompression.attributes();
    private static final byte[] PAYLOAD = ("{\"orderId\":\"ORD-2026-000123\",\"lines\":[" + "{\"sku\":\"A-1\",\"qty\":2},".repeat(200)
            + "{\"sku\":\"B-2\",\"qty\":1}]}").getBytes(StandardCharsets.UTF_8);

    @Test
    void gzipBase64_shouldRoundTrip_throughDecodePayload() {
        // GIVEN a producer that compresses for a text-only queue
        byte[] body = PayloadCompression.gzipBase64(PAYLOAD);

        // WHEN the consumer decodes it
        byte[] decoded = PayloadCompression.decodePayload(body, GZIP, CAP);

        // THEN it gets the original bytes; the body on the wire was plain ASCII and smaller
        assertThat(decoded).isEqualTo(PAYLOAD);
        assertThat(new String(body, StandardCharsets.US_ASCII)).matches("[A-Za-z0-9+/=]+");
        assertThat(body.length).isLessThan(PAYLOAD.length);
        assertThat(GZIP).containsEntry(SluiceAttributes.CONTENT_ENCODING, "gzip");
    }

    @Test
    void decodePayload_shouldInflate_rawGzipBytes() {
        // GIVEN a binary queue carrying the gzip bytes themselves
        byte[] body = PayloadCompression.gzip(PAYLOAD);

        // WHEN decoded THEN the original comes back
        assertThat(PayloadCompression.decodePayload(body, GZIP, CAP)).isEqualTo(PAYLOAD);
    }

    @Test
    void decodePayload_shouldAccept_base64WithLineBreaks() {
        // GIVEN base64 wrapped at 76 characters, as some producers write it
        byte[] body = Base64.getMimeEncoder().encode(PayloadCompression.gzip(PAYLOAD));

        assertThat(PayloadCompression.decodePayload(body, GZIP, CAP)).isEqualTo(PAYLOAD);
    }

    @Test
    void decodePayload_shouldReturnTheBodyAsIs_withoutContentEncoding() {
        assertThat(PayloadCompression.decodePayload(PAYLOAD, Map.of(), CAP)).isEqualTo(PAYLOAD);
        assertThat(PayloadCompression.decodePayload(PAYLOAD, Map.of(SluiceAttributes.CONTENT_ENCODING, "identity"), CAP))
                .isEqualTo(PAYLOAD);
    }

    @Test
    void decodePayload_shouldTreatTheEncodingName_caseInsensitively() {
        byte[] body = PayloadCompression.gzipBase64(PAYLOAD);

        assertThat(PayloadCompression.decodePayload(body, Map.of(SluiceAttributes.CONTENT_ENCODING, " GZIP "), CAP))
                .isEqualTo(PAYLOAD);
    }

    @Test
    void decodePayload_shouldAcceptAPayloadOfExactlyTheCap() {
        byte[] exactly = new byte[CAP];
        Arrays.fill(exactly, (byte) 'a');

        assertThat(PayloadCompression.decodePayload(PayloadCompression.gzip(exactly), GZIP, CAP)).hasSize(CAP);
    }

    @Test
    void decodePayload_shouldRejectAPayloadOneByteOverTheCap() {
        byte[] over = new byte[CAP + 1];
        Arrays.fill(over, (byte) 'a');

        assertThatThrownBy(() -> PayloadCompression.decodePayload(PayloadCompression.gzip(over), GZIP, CAP))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("limit of " + CAP + " bytes");
    }

    @Test
    void decodePayload_shouldStopADecompressionBomb_atTheCap() {
        // GIVEN 50 MB of zeros, which gzip shrinks to about 50 KB
        byte[] bomb = PayloadCompression.gzipBase64(new byte[50 * 1024 * 1024]);
        assertThat(bomb.length).isLessThan(100 * 1024);

        // WHEN a consumer with a 1 MiB cap decodes it THEN it is poison, not an OutOfMemoryError
        assertThatThrownBy(() -> PayloadCompression.decodePayload(bomb, GZIP, 1024 * 1024))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("exceeds the limit");
    }

    @Test
    void decodePayload_shouldReject_truncatedGzip() {
        // GIVEN gzip bytes cut in half
        byte[] gzip = PayloadCompression.gzip(PAYLOAD);
        byte[] truncated = Arrays.copyOf(gzip, gzip.length / 2);

        // WHEN decoded THEN it is a decode failure
        assertThatThrownBy(() -> PayloadCompression.decodePayload(truncated, GZIP, CAP))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("corrupt");
    }

    @Test
    void decodePayload_shouldReject_gzipWithABadChecksum() {
        // GIVEN gzip bytes whose CRC trailer was damaged
        byte[] gzip = PayloadCompression.gzip(PAYLOAD);
        gzip[gzip.length - 6] ^= 0x5a;

        assertThatThrownBy(() -> PayloadCompression.decodePayload(gzip, GZIP, CAP)).isInstanceOf(DecodingException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"orderId\":\"plain json, not gzip\"}", "aGVsbG8gd29ybGQ=", ""})
    void decodePayload_shouldReject_aBodyThatIsNotGzip_thoughMarkedSo(String body) {
        assertThatThrownBy(() -> PayloadCompression.decodePayload(body.getBytes(StandardCharsets.UTF_8), GZIP, CAP))
                .isInstanceOf(DecodingException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"br", "deflate", "zstd", "gzip, br"})
    void decodePayload_shouldReject_unknownContentEncodings_namingThem(String encoding) {
        Map<String, String> attributes = Map.of(SluiceAttributes.CONTENT_ENCODING, encoding);

        assertThatThrownBy(() -> PayloadCompression.decodePayload(PAYLOAD, attributes, CAP))
                .isInstanceOf(DecodingException.class)
                .hasMessageContaining("'" + encoding + "'");
    }
}
