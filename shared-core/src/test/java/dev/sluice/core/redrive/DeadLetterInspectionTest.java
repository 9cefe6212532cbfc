package dev.sluice.core.redrive;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.pipeline.FailureKind;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import dev.sluice.core.security.TerminalText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeadLetterInspectionTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private static DeadLetter dead(String id, FailureKind kind, String fingerprint, String body, Instant failedAt) {
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, "com.example.Boom", "boom for " + id, fingerprint, 3,
                failedAt, failedAt, "orders", id);
        return new DeadLetter("h-" + id, "p-" + id, body.getBytes(StandardCharsets.UTF_8), envelope.toAttributes(), failedAt);
    }

    @Test
    void group_countsByKindAndFingerprint_largestFirst() {
        // GIVEN three poison messages with one fingerprint and one exhausted message
        List<DeadLetter> letters = List.of(
                dead("a", FailureKind.EXHAUSTED, "f1", "{}", T0),
                dead("b", FailureKind.POISON, "f2", "xx", T0.plusSeconds(1)),
                dead("c", FailureKind.POISON, "f2", "yyy", T0.plusSeconds(2)),
                dead("d", FailureKind.POISON, "f2", "z", T0.plusSeconds(3)),
                new DeadLetter("h-e", "p-e", new byte[] {1, 2}, Map.of(), T0));

        // WHEN grouped
        List<DeadLetterInspection.Group> groups = DeadLetterInspection.group(letters);

        // THEN the poison group comes first with its counts, sizes and time span
        assertThat(groups).hasSize(3);
        DeadLetterInspection.Group poison = groups.get(0);
        assertThat(poison.failureKind()).isEqualTo("POISON");
        assertThat(poison.count()).isEqualTo(3);
        assertThat(poison.totalBytes()).isEqualTo(6);
        assertThat(poison.oldestFailure()).isEqualTo(T0.plusSeconds(1));
        assertThat(poison.newestFailure()).isEqualTo(T0.plusSeconds(3));
        assertThat(poison.sampleIds()).containsExactly("b", "c", "d");
        assertThat(groups).extracting(DeadLetterInspection.Group::failureKind).contains("UNKNOWN");
    }

    @Test
    void excerpt_isRedactedTruncatedAndPrintable_neverParsed() {
        String body = "{\"email\":\"jane@example.com\",\"note\":\"line1\nline2\u0007\"," + "\"pad\":\"" + "x".repeat(300) + "\"}";

        String excerpt = DeadLetterInspection.excerpt(body.getBytes(StandardCharsets.UTF_8));

        assertThat(excerpt).contains("[REDACTED_EMAIL]").doesNotContain("jane@")
                .contains("line1\\nline2\\u0007").endsWith("…");
        assertThat(excerpt.length()).isLessThan(200);
    }

    @Test
    void excerpt_ofBinaryOrInvalidUtf8_saysBinary() {
        assertThat(DeadLetterInspection.excerpt(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1})).isEqualTo("<binary, 4 bytes>");
    }

    @Test
    void exportJsonLines_keepsTheExactBytesAndAttributes() throws Exception {
        byte[] body = {(byte) 0xc3, (byte) 0x28, 0x00, 0x7f};
        DeadLetter letter = new DeadLetter("h", "p-1", body, Map.of("sluice-failure-kind", "POISON"), T0);
        StringWriter out = new StringWriter();

        DeadLetterInspection.exportJsonLines(List.of(letter, letter), out);

        String[] lines = out.toString().split("\n");
        assertThat(lines).hasSize(2);
        JsonNode json = new ObjectMapper().readTree(lines[0]);
        assertThat(Base64.getDecoder().decode(json.get("body_base64").asText())).isEqualTo(body);
        assertThat(json.get("attributes").get("sluice-failure-kind").asText()).isEqualTo("POISON");
        assertThat(json.get("provider_message_id").asText()).isEqualTo("p-1");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jane.doe@example.com", "first.last+orders@sub.example.co.uk", "4111 1111 1111 1111",
            "5555555555554444", "Authorization: Bearer abc123", "Proxy-Authorization: Basic QWxhZGRpbjpvcGVu",
            "AKIAIOSFODNN7EXAMPLE",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"})
    void excerpt_shouldNeverShowPartOfASecret_atAnyCutPosition(String secret) {
        // GIVEN the part of the secret the redactor would mask (for a header: the credential, not the header name)
        String masked = secret.contains("Authorization: ") ? secret.substring(secret.lastIndexOf(' ') + 1) : secret;
        for (int start = DeadLetterInspection.EXCERPT_BYTES - secret.length() - 2;
                start <= DeadLetterInspection.EXCERPT_BYTES + 1; start++) {
            // GIVEN a body where the secret starts at `start`, so the excerpt's cut falls on each of its characters
            String body = "#".repeat(start - 1) + " " + secret + " and more text after it";

            // WHEN an excerpt is made
            String excerpt = DeadLetterInspection.excerpt(body.getBytes(StandardCharsets.UTF_8));

            // THEN not even a three-character prefix of the secret shows
            assertThat(excerpt).as("secret at %d: %s", start, excerpt)
                    .doesNotContain(masked.substring(0, 3));
        }
    }

    @Test
    void excerpt_shouldMaskAnEmailTheLimitCuts_whereItUsedToShowItsStart() {
        // GIVEN a body whose e-mail address starts 10 bytes before the excerpt's limit
        String body = "{\"note\":\"" + "x".repeat(DeadLetterInspection.EXCERPT_BYTES - 30) + "\",\"email\":\"jane.doe@example.com\"}";

        // WHEN an excerpt is made
        String excerpt = DeadLetterInspection.excerpt(body.getBytes(StandardCharsets.UTF_8));

        // THEN the address is masked (the marker may be cut), never shown in part
        assertThat(excerpt).doesNotContain("jane").contains("[REDACT").endsWith("…");
        assertThat(excerpt.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(DeadLetterInspection.EXCERPT_BYTES + 3);
    }

    @Test
    void excerpt_ofABodyLongerThanTheRedactionWindow_stillShowsItsStart() {
        // GIVEN compact JSON far longer than the window
        String body = "{\"orderId\":\"o-1\",\"lines\":[" + "{\"sku\":\"A-1\",\"qty\":1},".repeat(5000) + "{}]}";

        // WHEN an excerpt is made
        String excerpt = DeadLetterInspection.excerpt(body.getBytes(StandardCharsets.UTF_8));

        // THEN its start is shown, cut
        assertThat(excerpt).startsWith("{\"orderId\":\"o-1\"").endsWith("…");
    }

    @Test
    void excerpt_shouldEscapeControlAndBidiCharacters_forTheTerminal() {
        // GIVEN a body with an escape sequence, an 8-bit CSI, a bidi override and a literal backslash
        String body = "a\u001b[2Jb\u009b1mc\u202Ed\\e";

        // WHEN an excerpt is made THEN each is a visible escape
        assertThat(DeadLetterInspection.excerpt(body.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("a\\u001b[2Jb\\u009b1mc\\u202ed\\\\e");
    }

    @Test
    void exportJsonLines_shouldEscapeTerminalControls_asJsonEscapes_keepingTheValuesExact() throws Exception {
        // GIVEN attributes holding an escape sequence, an 8-bit CSI, a bidi override and DEL
        String value = "x\u001b[2J\u009b1m\u202Ey\u007f";
        DeadLetter letter = new DeadLetter("h", "p-1", new byte[] {1}, Map.of("sluice-error-type", value), T0);
        StringWriter out = new StringWriter();

        // WHEN exported
        DeadLetterInspection.exportJsonLines(List.of(letter), out);

        // THEN the output holds none of them raw, and reads back as exactly the same value
        assertThat(out.toString().codePoints()).noneMatch(cp -> cp != '\\' && cp != '\n' && TerminalText.unsafe(cp));
        assertThat(new ObjectMapper().readTree(out.toString()).get("attributes").get("sluice-error-type").asText())
                .isEqualTo(value);
    }
}
