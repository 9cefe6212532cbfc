package dev.sluice.core.claimcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.codec.DecodingException;
import dev.sluice.core.config.ConfigurationException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ClaimCheckTest {
    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anS3Pointer_isTheExtendedClientLibrarysJson() {
        PayloadPointer pointer = new PayloadPointer(PayloadPointer.Store.S3, "payloads", "orders/0b6c");

        assertThat(ClaimCheck.format(pointer)).isEqualTo(
                "[\"software.amazon.payloadoffloading.PayloadS3Pointer\",{\"s3BucketName\":\"payloads\",\"s3Key\":\"orders/0b6c\"}]");
        assertThat(ClaimCheck.parse(utf8(ClaimCheck.format(pointer)))).isEqualTo(pointer);
        assertThat(pointer).hasToString("s3://payloads/orders/0b6c");
    }

    @Test
    void aBlobPointer_hasTheSameShape() {
        PayloadPointer pointer = new PayloadPointer(PayloadPointer.Store.BLOB, "payloads", "0b6c");

        assertThat(ClaimCheck.format(pointer)).isEqualTo(
                "[\"dev.sluice.claimcheck.BlobPayloadPointer\",{\"containerName\":\"payloads\",\"blobName\":\"0b6c\"}]");
        assertThat(ClaimCheck.parse(utf8(ClaimCheck.format(pointer)))).isEqualTo(pointer);
    }

    @Test
    void aPointerIsRecognisedByEitherSizeAttribute_orTheSignedPointer() {
        assertThat(ClaimCheck.isPointer(Map.of("ExtendedPayloadSize", "300000"))).isTrue();
        assertThat(ClaimCheck.isPointer(Map.of("SQSLargePayloadSize", "300000"))).isTrue();
        assertThat(ClaimCheck.isPointer(Map.of("sluice-claim-check", "[]"))).isTrue();
        assertThat(ClaimCheck.isPointer(Map.of("message-type", "order"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{}", "not json", "[\"software.amazon.payloadoffloading.PayloadS3Pointer\"]",
            "[\"other.Pointer\",{\"s3BucketName\":\"b\",\"s3Key\":\"k\"}]",
            "[\"software.amazon.payloadoffloading.PayloadS3Pointer\",{\"s3BucketName\":\"b\"}]",
            "[\"software.amazon.payloadoffloading.PayloadS3Pointer\",{\"s3BucketName\":\" \",\"s3Key\":\"k\"}]",
            "[\"dev.sluice.claimcheck.BlobPayloadPointer\",{\"s3BucketName\":\"b\",\"s3Key\":\"k\"}]"})
    void aBodyThatIsNotAPointer_isADecodingFailure(String body) {
        assertThatThrownBy(() -> ClaimCheck.parse(utf8(body))).isInstanceOf(DecodingException.class)
                .hasMessageStartingWith("claim-check:");
    }

    @Test
    void locations_parseBothForms() {
        assertThat(PayloadLocation.parse("s3://payloads", "SLUICE_PAYLOAD_STORE"))
                .isEqualTo(new PayloadLocation(PayloadPointer.Store.S3, "payloads", "", null));
        assertThat(PayloadLocation.parse("s3://payloads/orders", "SLUICE_PAYLOAD_STORE").prefix()).isEqualTo("orders/");
        assertThat(PayloadLocation.parse("https://acct.blob.core.windows.net/payloads/", "SLUICE_PAYLOAD_STORE"))
                .isEqualTo(new PayloadLocation(PayloadPointer.Store.BLOB, "payloads", "",
                        URI.create("https://acct.blob.core.windows.net")));
        assertThat(PayloadLocation.parse("http://127.0.0.1:10000/devstoreaccount1/payloads", "SLUICE_PAYLOAD_STORE"))
                .isEqualTo(new PayloadLocation(PayloadPointer.Store.BLOB, "payloads", "",
                        URI.create("http://127.0.0.1:10000/devstoreaccount1")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"payloads", "s3://", "s3:///prefix", "ftp://host/c", "https://acct.blob.core.windows.net",
            "https://acct.blob.core.windows.net/", "https://acct.blob.core.windows.net/c?sig=secret"})
    void aBadLocation_failsNamingTheSetting(String value) {
        assertThatThrownBy(() -> PayloadLocation.parse(value, "SLUICE_PAYLOAD_STORE"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SLUICE_PAYLOAD_STORE");
    }
}
