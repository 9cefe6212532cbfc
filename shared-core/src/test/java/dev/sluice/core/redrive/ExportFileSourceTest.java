package dev.sluice.core.redrive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.SluiceException;
import dev.sluice.core.pipeline.FailureKind;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExportFileSourceTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @TempDir Path dir;

    private static DeadLetter dead(String providerId, String id, FailureKind kind, byte[] body) {
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, "com.example.Boom", "boom for " + id, "fp", 3,
                T0, T0, "orders", id);
        return new DeadLetter("h-" + providerId, providerId, body, envelope.toAttributes(), T0);
    }

    private Path export(List<DeadLetter> letters) throws Exception {
        Path file = dir.resolve("export.jsonl");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            DeadLetterInspection.exportJsonLines(letters, w);
        }
        return file;
    }

    @Test
    void open_readsBackWhatTheExportWrote_exactly() throws Exception {
        // GIVEN an export of a dead letter with a binary body and envelope, and one without an envelope
        byte[] binary = {(byte) 0xc3, (byte) 0x28, 0x00, 0x7f, '\n'};
        DeadLetter enveloped = dead("p1", "o-1", FailureKind.POISON, binary);
        DeadLetter bare = new DeadLetter("h-p2", "p2", "{\"a\":\"\u001b[2J\u202e\"}".getBytes(StandardCharsets.UTF_8),
                Map.of("custom", "v\u001b[2J"), T0.plusSeconds(5));
        Path file = export(List.of(enveloped, bare));

        // WHEN the file is opened as a source
        ExportFileSource source = ExportFileSource.open(file);

        // THEN every dead letter comes back with its ids, enqueue time, attributes and exact body, in file order
        assertThat(source.deadLetters()).hasSize(2);
        DeadLetter first = source.deadLetters().get(0);
        assertThat(first.providerMessageId()).isEqualTo("p1");
        assertThat(first.originalMessageId()).isEqualTo("o-1");
        assertThat(first.body()).isEqualTo(binary);
        assertThat(first.attributes()).isEqualTo(enveloped.attributes());
        assertThat(first.enqueuedAt()).isEqualTo(T0);
        assertThat(first.envelope()).isPresent();
        DeadLetter second = source.deadLetters().get(1);
        assertThat(second.originalMessageId()).isEqualTo("p2");
        assertThat(second.body()).isEqualTo(bare.body());
        assertThat(second.attributes()).isEqualTo(bare.attributes());
        // AND its name carries the file's absolute path and SHA-256, for the audit record
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertThat(source.sha256()).isEqualTo(sha);
        assertThat(source.name()).isEqualTo("file:" + file.toAbsolutePath() + " sha256:" + sha);
    }

    @Test
    void redrive_fromTheFile_sendsStableIds_andLeavesTheFileUnchanged() throws Exception {
        // GIVEN an export of three dead letters
        Path file = export(List.of(
                dead("p1", "o-1", FailureKind.POISON, "a".getBytes(StandardCharsets.UTF_8)),
                dead("p2", "o-2", FailureKind.EXHAUSTED, "b".getBytes(StandardCharsets.UTF_8)),
                dead("p3", "o-3", FailureKind.EXHAUSTED, "c".getBytes(StandardCharsets.UTF_8))));
        byte[] before = Files.readAllBytes(file);
        ExportFileSource source = ExportFileSource.open(file);
        InMemoryRedriveTarget target = new InMemoryRedriveTarget("orders");
        List<AuditRecord> audits = new ArrayList<>();

        // WHEN a dry run plans the EXHAUSTED ones, then a confirmed run on the same source moves them
        RedriveFilter exhausted = RedriveFilter.builder().kinds(java.util.Set.of(FailureKind.EXHAUSTED)).build();
        RedriveReport plan = RedriveEngine.withAuditLog(audits::add).run(RedriveRequest.builder().filter(exhausted)
                .dryRun(true).operator("ana").build(), source, target, p -> { });
        RedriveReport done = RedriveEngine.withAuditLog(audits::add).run(RedriveRequest.builder().filter(exhausted)
                .operator("ana").confirmed(true).build(), source, target, p -> { });

        // THEN the plan moved nothing, the run sent both with their stable ids, and "removing" them left the file alone
        assertThat(plan.matched()).isEqualTo(2);
        assertThat(plan.moved()).isZero();
        assertThat(done.scanned()).isEqualTo(3);
        assertThat(done.moved()).isEqualTo(2);
        assertThat(target.sent()).extracting(s -> s.attributes().get(SluiceAttributes.ORIGINAL_MESSAGE_ID))
                .containsExactly("o-2", "o-3");
        assertThat(target.sent()).extracting(s -> s.attributes().get(SluiceAttributes.REDRIVE_COUNT))
                .containsExactly("1", "1");
        assertThat(source.removed()).containsExactly("p2", "p3");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        // AND the audit records name the file as the source
        assertThat(audits).extracting(AuditRecord::source).containsOnly(source.name());
    }

    @Test
    void open_readsBackTypedAttributesGroupContentTypeAndSystemProperties_exactly() throws Exception {
        // GIVEN an export of a dead letter with a binary and a typed number attribute, a group, a content type and
        // the provider's system properties
        Map<String, AttributeValue> typed = new java.util.LinkedHashMap<>();
        dead("p1", "o-1", FailureKind.EXHAUSTED, new byte[] {1}).attributes().forEach((k, v) -> typed.put(k, AttributeValue.string(v)));
        typed.put("thumbprint", AttributeValue.binary("Binary.sha1", new byte[] {0, (byte) 0xff}));
        typed.put("priority", AttributeValue.text("Number.int", "7"));
        DeadLetter letter = DeadLetter.typed("h-p1", "p1", new byte[] {1}, typed, T0, "customer-1", "application/json",
                Map.of("SequenceNumber", "42", "DeliveryCount", "10"));
        Path file = export(List.of(letter));

        // WHEN read back
        DeadLetter read = ExportFileSource.open(file).deadLetters().getFirst();

        // THEN nothing is lost: types, bytes, group, content type, system properties
        assertThat(read.typedAttributes()).isEqualTo(letter.typedAttributes());
        assertThat(read.typedAttributes().get("thumbprint").binary()).containsExactly(0, 0xff);
        assertThat(read.attributes()).doesNotContainKey("thumbprint").containsEntry("priority", "7");
        assertThat(read.groupId()).isEqualTo("customer-1");
        assertThat(read.contentType()).isEqualTo("application/json");
        assertThat(read.systemProperties()).containsEntry("SequenceNumber", "42").containsEntry("DeliveryCount", "10");
    }

    @Test
    void open_readsAnExportWrittenBeforeTypedAttributes_asStrings() throws Exception {
        // GIVEN a line in the first export format: text attributes only
        Path file = dir.resolve("old.jsonl");
        Files.writeString(file, "{\"provider_message_id\":\"p1\",\"original_message_id\":\"o-1\",\"enqueued_at\":"
                + "\"2026-11-24T10:00:00Z\",\"attributes\":{\"sluice-original-message-id\":\"o-1\",\"n\":\"5\"},\"body_base64\":\"AQ==\"}\n");

        DeadLetter read = ExportFileSource.open(file).deadLetters().getFirst();

        assertThat(read.typedAttributes()).containsEntry("n", AttributeValue.string("5"));
        assertThat(read.groupId()).isNull();
        assertThat(read.systemProperties()).isEmpty();
    }

    @Test
    void release_handsTheDeadLetterBackInFileOrder() throws Exception {
        // GIVEN an export of two dead letters, both received
        ExportFileSource source = ExportFileSource.open(export(List.of(
                dead("p1", "o-1", FailureKind.POISON, new byte[] {1}),
                dead("p2", "o-2", FailureKind.POISON, new byte[] {2}))));
        List<DeadLetter> first = source.receive(10);

        // WHEN both are released and received again
        assertThat(source.receive(10)).isEmpty();
        first.forEach(source::release);

        // THEN they come back in file order
        assertThat(source.receive(10)).extracting(DeadLetter::providerMessageId).containsExactly("p1", "p2");
    }

    @Test
    void open_skipsBlankLinesAndARepeatedDeadLetter() throws Exception {
        // GIVEN an export with a blank line and the first dead letter exported twice (a browse may read one twice)
        Path file = export(List.of(dead("p1", "o-1", FailureKind.POISON, new byte[] {1}),
                dead("p1", "o-1", FailureKind.POISON, new byte[] {1})));
        Files.writeString(file, Files.readString(file) + "\n   \n");

        // WHEN it is opened
        ExportFileSource source = ExportFileSource.open(file);

        // THEN it holds the dead letter once
        assertThat(source.deadLetters()).hasSize(1);
        assertThat(source.skippedDuplicates()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "{\"provider_message_id\":\"p9\"} trailing",
        "[1,2]",
        "{\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"\"}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"yesterday\",\"attributes\":{},\"body_base64\":\"\"}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{\"a\":1},\"body_base64\":\"\"}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"%%%\"}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{\"sluice-original-message-id\":\"o-8\"},\"body_base64\":\"\"}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"\",\"typed_attributes\":{\"a\":{\"data_type\":\"Blob\",\"string_value\":\"x\"}}}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"\",\"typed_attributes\":{\"a\":{\"data_type\":\"Binary\",\"binary_base64\":\"%%%\"}}}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"\",\"typed_attributes\":{\"a\":{\"string_value\":\"x\"}}}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"\",\"group_id\":7}",
        "{\"provider_message_id\":\"p9\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"\",\"system_properties\":{\"SequenceNumber\":7}}",
        "{\"provider_message_id\":\"p9\",\"provider_message_id\":\"p8\",\"original_message_id\":\"o-9\",\"enqueued_at\":\"2026-11-24T10:00:00Z\",\"attributes\":{},\"body_base64\":\"\"}"
    })
    void open_failsOnAMalformedLine_namingItsNumber_beforeAnythingIsRead(String badLine) throws Exception {
        // GIVEN an export whose second line is malformed
        Path file = export(List.of(dead("p1", "o-1", FailureKind.POISON, new byte[] {1})));
        Files.writeString(file, Files.readString(file) + badLine + "\n");

        // WHEN it is opened, THEN it fails naming the file and line 2, without quoting the line
        assertThatThrownBy(() -> ExportFileSource.open(file))
                .isInstanceOfSatisfying(ExportFileSource.MalformedExportException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.getMessage()).startsWith(file + ": line 2: ").doesNotContain("%%%").doesNotContain("yesterday");
                });
    }

    @Test
    void open_failsOnALineThatIsNotUtf8() throws Exception {
        // GIVEN a file whose first line holds bytes that are not UTF-8
        Path file = dir.resolve("bad.jsonl");
        Files.write(file, new byte[] {'{', (byte) 0xff, '}', '\n'});

        // WHEN it is opened, THEN line 1 is named
        assertThatThrownBy(() -> ExportFileSource.open(file)).hasMessageContaining("line 1: not UTF-8 text");
    }

    @Test
    void open_aMissingFile_failsNamingIt() {
        Path missing = dir.resolve("missing.jsonl");

        assertThatThrownBy(() -> ExportFileSource.open(missing)).isInstanceOf(SluiceException.class)
                .hasMessageContaining(missing.toString());
    }
}
