package dev.sluice.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.archive.ArchiveRefusedException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivePlanTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final SigningKey ALICE = OperatorKeys.generate("alice");
    private static final SigningKey BOB = OperatorKeys.generate("bob");

    @TempDir Path dir;

    private static ArchivePlan plan() {
        return ArchivePlan.request("orders-dlq", Map.of("kinds", List.of("POISON")), List.of(
                new ArchivePlan.PlannedMessage("p1", "o-1", "POISON"),
                new ArchivePlan.PlannedMessage("p2", "o-2", "POISON"),
                new ArchivePlan.PlannedMessage("x1", "x1", "UNKNOWN")), NOW, Duration.ofHours(24), ALICE);
    }

    private static Map<String, OperatorKey> trust(SigningKey... keys) {
        Map<String, OperatorKey> trusted = new LinkedHashMap<>();
        for (SigningKey k : keys) {
            trusted.put(k.fingerprint(), k.identity());
        }
        return trusted;
    }

    @Test
    void canonicalJson_sortsKeysAtEveryDepth_hasNoWhitespace_andEscapesOnlyQuotesBackslashesAndControls() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of("x", true, false));
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", "q\"\\\n\u001b é\u202e");
        value.put("a", inner);
        value.put("c", null);

        byte[] bytes = CanonicalJson.bytes(value);

        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":{\"a\":[\"x\",true,false],\"z\":1},\"b\":\"q\\\"\\\\\\u000a\\u001b é\u202e\",\"c\":null}");
        assertThatThrownBy(() -> CanonicalJson.bytes(Map.of("f", 1.5))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void canonicalBytes_areTheBodyWithoutSignatures_andTheSameAfterAFileRoundTrip() throws Exception {
        ArchivePlan plan = ArchiveApproval.approve(plan(), BOB, NOW);

        ArchivePlan read = ArchivePlan.parse(plan.toJson().getBytes(StandardCharsets.UTF_8));

        assertThat(read).isEqualTo(plan);
        assertThat(read.canonicalBytes()).isEqualTo(plan.canonicalBytes()).isEqualTo(plan().canonicalBytes());
        String canonical = new String(plan.canonicalBytes(), StandardCharsets.UTF_8);
        assertThat(canonical).startsWith("{\"counts_by_kind\":{\"POISON\":2,\"UNKNOWN\":1},\"created_at\":\"2026-03-01T10:00:00Z\","
                + "\"expires_at\":\"2026-03-02T10:00:00Z\",\"filter\":{\"kinds\":[\"POISON\"]},\"format\":\"sluice-archive-plan/1\","
                + "\"messages\":[{\"failure_kind\":\"POISON\",\"original_message_id\":\"o-1\",\"provider_message_id\":\"p1\"}")
                .doesNotContain("signature\"").doesNotContain(" ").doesNotContain("\n");
        assertThat(plan.planId()).hasSize(64);
    }

    @Test
    void signatures_verifyWithTrustedKeys_andANamedIdAddedAfterSigningBreaksThem() throws Exception {
        ArchivePlan approved = ArchiveApproval.approve(plan(), BOB, NOW);
        assertThat(ArchiveApproval.verify(approved, trust(ALICE, BOB), "orders-dlq", NOW).approver().operator()).isEqualTo("bob");

        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(approved.toJson());
        ((com.fasterxml.jackson.databind.node.ArrayNode) json.get("messages")).addObject().put("provider_message_id", "p9")
                .put("original_message_id", "o-9").put("failure_kind", "POISON");
        ((ObjectNode) json.get("counts_by_kind")).put("POISON", 3);
        ArchivePlan tampered = ArchivePlan.parse(new ObjectMapper().writeValueAsBytes(json));

        assertThatThrownBy(() -> ArchiveApproval.verify(tampered, trust(ALICE, BOB), "orders-dlq", NOW))
                .isInstanceOfSatisfying(ArchiveRefusedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE))
                .hasMessageContaining("does not verify");
    }

    @Test
    void verify_refusesOneSignature_theSameKeyTwice_untrustedKeys_expiry_andAnotherQueue() {
        ArchivePlan requested = plan();
        ArchivePlan approved = ArchiveApproval.approve(requested, BOB, NOW);
        ArchivePlan selfApproved = requested.signedBy(ALICE, ArchivePlan.APPROVER);

        assertThat(reason(() -> ArchiveApproval.verify(requested, trust(ALICE, BOB), "orders-dlq", NOW))).isEqualTo(Reason.SIGNATURE_MISSING);
        assertThat(reason(() -> ArchiveApproval.verify(selfApproved, trust(ALICE, BOB), "orders-dlq", NOW))).isEqualTo(Reason.SAME_KEY);
        assertThat(reason(() -> ArchiveApproval.approve(requested, ALICE, NOW))).isEqualTo(Reason.SAME_KEY);
        assertThat(reason(() -> ArchiveApproval.approve(requested, OperatorKeys.generate("Alice"), NOW))).isEqualTo(Reason.SAME_KEY);
        assertThat(reason(() -> ArchiveApproval.approve(approved, OperatorKeys.generate("carol"), NOW))).isEqualTo(Reason.ALREADY_APPROVED);
        assertThat(reason(() -> ArchiveApproval.verify(approved, trust(ALICE), "orders-dlq", NOW))).isEqualTo(Reason.UNTRUSTED_KEY);
        assertThat(reason(() -> ArchiveApproval.verify(approved, Map.of(ALICE.fingerprint(), ALICE.identity(), BOB.fingerprint(),
                new OperatorKey("mallory", BOB.publicKey())), "orders-dlq", NOW))).isEqualTo(Reason.UNTRUSTED_KEY);
        assertThat(reason(() -> ArchiveApproval.verify(approved, trust(ALICE, BOB), "orders-dlq", NOW.plus(Duration.ofHours(24)))))
                .isEqualTo(Reason.EXPIRED);
        assertThat(reason(() -> ArchiveApproval.approve(requested, BOB, NOW.plus(Duration.ofDays(2))))).isEqualTo(Reason.EXPIRED);
        assertThat(reason(() -> ArchiveApproval.verify(approved, trust(ALICE, BOB), "payments-dlq", NOW))).isEqualTo(Reason.WRONG_QUEUE);
    }

    @Test
    void request_refusesAValidityAboveSevenDays() {
        assertThatThrownBy(() -> ArchivePlan.request("q", Map.of(), List.of(), NOW, Duration.ofDays(8), ALICE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parse_refusesUnknownFields_andNonCanonicalInstants() throws Exception {
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(plan().toJson());
        json.put("note", "x");
        byte[] unknownField = new ObjectMapper().writeValueAsBytes(json);
        assertThat(reason(() -> ArchivePlan.parse(unknownField))).isEqualTo(Reason.MALFORMED_PLAN);
        json.remove("note");
        json.put("expires_at", "2026-03-02T10:00:00.000Z");
        byte[] longInstant = new ObjectMapper().writeValueAsBytes(json);
        assertThat(reason(() -> ArchivePlan.parse(longInstant))).isEqualTo(Reason.MALFORMED_PLAN);
        assertThat(reason(() -> ArchivePlan.parse("{".getBytes(StandardCharsets.UTF_8)))).isEqualTo(Reason.MALFORMED_PLAN);
    }

    @Test
    void keys_roundTripThroughPemFiles_privateKeyMode0600_publicKeyDerivedFromThePrivateKey() throws Exception {
        List<Path> files = OperatorKeys.write(ALICE, dir);

        assertThat(files).containsExactly(dir.resolve("alice.key"), dir.resolve("alice.pub"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0)))).isEqualTo("rw-------");
        assertThat(Files.readString(files.get(0))).startsWith("Sluice-Operator: alice\n-----BEGIN PRIVATE KEY-----\n");
        assertThat(Files.readString(files.get(1))).startsWith("Sluice-Operator: alice\n-----BEGIN PUBLIC KEY-----\n");
        SigningKey read = OperatorKeys.readPrivate(files.get(0));
        assertThat(read.operator()).isEqualTo("alice");
        assertThat(read.fingerprint()).isEqualTo(ALICE.fingerprint());
        assertThat(OperatorKeys.readPublic(files.get(1))).isEqualTo(ALICE.identity());
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        assertThat(ALICE.identity().verifies(data, read.sign(data))).isTrue();
        assertThat(ALICE.identity().verifies("y".getBytes(StandardCharsets.UTF_8), read.sign(data))).isFalse();
        assertThat(OperatorKeys.readTrusted(List.of(dir))).containsOnlyKeys(ALICE.fingerprint());
        assertThatThrownBy(() -> OperatorKeys.write(ALICE, dir)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void keyFile_withoutTheOperatorLine_namesTheOperatorByItsFileName() throws Exception {
        String pem = Files.readString(OperatorKeys.write(BOB, dir).get(0)).replace("Sluice-Operator: bob\n", "");
        Path renamed = dir.resolve("robert.key");
        Files.writeString(renamed, pem);

        assertThat(OperatorKeys.readPrivate(renamed).operator()).isEqualTo("robert");
        assertThatThrownBy(() -> OperatorKeys.generate("../evil")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Reason reason(Runnable action) {
        try {
            action.run();
        } catch (ArchiveRefusedException e) {
            return e.reason();
        }
        throw new AssertionError("not refused");
    }
}
