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
import org.junit.jupiter.api.Test;

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
}
