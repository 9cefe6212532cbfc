package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.archive.ArchivePlan;
import dev.sluice.core.archive.OperatorKeys;
import dev.sluice.core.archive.SigningKey;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import dev.sluice.core.redrive.ExportFileSource;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dlq keygen}, {@code dlq archive} and {@code dlq approve}: the two-person archive, end to end on an in-memory DLQ. */
class ArchiveCommandsTest {
    private static final String QUEUE = "--aws-queue=orders";

    @TempDir Path dir;

    private final InMemoryDlq dlq = new InMemoryDlq();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private Path keys;
    private Path plan;
    private Path audit;
    private Path archive;

    @BeforeEach
    void fill() {
        Instant now = Instant.now();
        dlq.add(dead("p1", "o-1", FailureKind.POISON, "{\"card\":\"4111 1111 1111 1111\"}", now));
        dlq.add(dead("p2", "o-2", FailureKind.POISON, "not json \u0000\u001b", now));
        dlq.add(dead("e1", "o-3", FailureKind.EXHAUSTED, "{\"orderId\":\"o-3\"}", now));
        keys = dir.resolve("keys");
        plan = dir.resolve("plan.json");
        audit = dir.resolve("audit.jsonl");
        archive = dir.resolve("archive.jsonl");
    }

    private static DeadLetter dead(String providerId, String id, FailureKind kind, String body, Instant at) {
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, "com.example." + kind, "failed " + id,
                kind.name().toLowerCase(), 3, at, at, "orders", id);
        return new DeadLetter("h-" + providerId, providerId, body.getBytes(StandardCharsets.UTF_8), envelope.toAttributes(), at);
    }

    private int run(String... args) {
        return runOn(dlq, args);
    }

    private int runOn(InMemoryDlq backend, String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cli = SluiceCli.commandLine(options -> backend, new BufferedReader(new StringReader("")));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private void keygen(String name) {
        assertThat(run("dlq", "keygen", "--name", name, "--out-dir", keys.toString())).isZero();
    }

    /** alice plans the POISON dead letters (p1, p2). */
    private void planPoison() {
        keygen("alice");
        keygen("bob");
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--key", keys.resolve("alice.key").toString(),
                "--kind", "POISON", "--audit-log", audit.toString())).isZero();
    }

    private void approveAsBob() {
        assertThat(run("dlq", "approve", plan.toString(), "--key", keys.resolve("bob.key").toString(), "--yes",
                "--audit-log", audit.toString())).isZero();
    }

    private int runApproved(InMemoryDlq backend, String trust) {
        return runOn(backend, "dlq", "archive", QUEUE, "--approved", plan.toString(), "--trust", trust,
                "--archive-file", archive.toString(), "--operator", "carol", "--audit-log", audit.toString());
    }

    private int runApproved() {
        return runApproved(dlq, keys.toString());
    }

    private void assertNothingRemoved() {
        assertThat(dlq.visible).containsOnlyKeys("p1", "p2", "e1");
        assertThat(dlq.hidden).isEmpty();
        assertThat(archive).doesNotExist();
    }

    private List<JsonNode> auditLines() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        return Files.readAllLines(audit).stream().map(l -> {
            try {
                return mapper.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private JsonNode lastAudit() throws Exception {
        return auditLines().getLast();
    }

    @Test
    void keygen_writesAnOwnerOnlyPrivateKey_andAPublicKey_andPrintsTheFingerprint() throws Exception {
        keygen("alice");

        Path key = keys.resolve("alice.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(key)).contains("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(keys.resolve("alice.pub"))).contains("-----BEGIN PUBLIC KEY-----");
        String fingerprint = OperatorKeys.readPublic(keys.resolve("alice.pub")).fingerprint();
        assertThat(out.toString()).contains("fingerprint  " + fingerprint);
        // never overwritten; a bad name is a usage error naming the flag
        assertThat(run("dlq", "keygen", "--name", "alice", "--out-dir", keys.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--out-dir").contains("exists already");
        assertThat(run("dlq", "keygen", "--name", "../x", "--out-dir", keys.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--name");
    }

    @Test
    void happyPath_planApproveRun_archivesExactlyThePlannedDeadLetters_byteForByte_andAuditsEveryStep() throws Exception {
        // GIVEN alice plans the POISON dead letters: nothing leaves the queue, the plan is owner-only
        planPoison();
        assertThat(out.toString()).contains("Plan: archive 2 of 3 dead letters from orders-dlq").contains("POISON 2");
        assertThat(dlq.visible).containsOnlyKeys("p1", "p2", "e1");
        assertThat(dlq.hidden).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(plan))).isEqualTo("rw-------");
        JsonNode written = new ObjectMapper().readTree(plan.toFile());
        assertThat(written.get("queue").asText()).isEqualTo("orders-dlq");
        assertThat(written.get("messages")).extracting(m -> m.get("provider_message_id").asText()).containsExactly("p1", "p2");
        assertThat(written.get("messages").get(0).get("original_message_id").asText()).isEqualTo("o-1");
        assertThat(written.get("filter").get("kinds").get(0).asText()).isEqualTo("POISON");
        assertThat(written.get("signatures")).hasSize(1);

        // AND bob approves it
        approveAsBob();
        assertThat(err.toString()).contains("queue       orders-dlq").contains("requester   alice").contains("dead letters 2")
                .contains("by kind     POISON 2");
        assertThat(new ObjectMapper().readTree(plan.toFile()).get("signatures")).hasSize(2);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(plan))).isEqualTo("rw-------");

        // WHEN carol runs it, trusting the keys directory
        int code = runApproved();

        // THEN exactly p1 and p2 left the queue into the archive file, byte for byte
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Archived 2 dead letters from orders-dlq");
        assertThat(dlq.visible).containsOnlyKeys("e1");
        assertThat(dlq.hidden).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive))).isEqualTo("rw-------");
        ExportFileSource archived = ExportFileSource.open(archive);
        assertThat(archived.deadLetters()).extracting(DeadLetter::providerMessageId).containsExactly("p1", "p2");
        assertThat(archived.deadLetters().get(1).body()).isEqualTo("not json \u0000\u001b".getBytes(StandardCharsets.UTF_8));
        assertThat(archived.deadLetters().get(0).originalMessageId()).isEqualTo("o-1");

        // AND every step is in the audit log
        List<JsonNode> lines = auditLines();
        assertThat(lines).extracting(l -> l.get("action").asText()).containsExactly("archive_planned", "archive_approved", "archive_done");
        assertThat(lines.get(0).get("operator").asText()).isEqualTo("alice");
        assertThat(lines.get(1).get("operator").asText()).isEqualTo("bob");
        JsonNode done = lines.get(2);
        assertThat(done.get("operator").asText()).isEqualTo("carol");
        assertThat(done.get("archived").asInt()).isEqualTo(2);
        assertThat(done.get("archive_sha256").asText()).isEqualTo(archived.sha256());
        assertThat(done.get("requester").asText()).isEqualTo("alice");
        assertThat(done.get("approver").asText()).isEqualTo("bob");
        assertThat(lines).extracting(l -> l.get("plan_id").asText()).containsOnly(lines.get(0).get("plan_id").asText());
    }

    @Test
    void planAndRun_asJson_summariseForScripts() throws Exception {
        keygen("alice");
        keygen("bob");
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--key", keys.resolve("alice.key").toString(),
                "--id", "o-3", "-o", "json", "--audit-log", audit.toString())).isZero();
        JsonNode planned = new ObjectMapper().readTree(out.toString());
        assertThat(planned.get("planned").asInt()).isEqualTo(1);
        assertThat(planned.get("scanned").asInt()).isEqualTo(3);
        assertThat(planned.get("by_kind").get("EXHAUSTED").asInt()).isEqualTo(1);
        approveAsBob();

        assertThat(runOn(dlq, "dlq", "archive", QUEUE, "--approved", plan.toString(), "--trust",
                keys.resolve("alice.pub") + "," + keys.resolve("bob.pub"), "--archive-file", archive.toString(), "-o", "json",
                "--audit-log", audit.toString())).as(err.toString()).isZero();

        JsonNode done = new ObjectMapper().readTree(out.toString());
        assertThat(done.get("archived").asInt()).isEqualTo(1);
        assertThat(done.get("plan_id").asText()).isEqualTo(planned.get("plan_id").asText());
        assertThat(done.get("archive_sha256").asText()).isEqualTo(ExportFileSource.open(archive).sha256());
        assertThat(dlq.visible).containsOnlyKeys("p1", "p2");
    }

    @Test
    void run_withOneSignatureOnly_isRefused_andRemovesNothing() throws Exception {
        planPoison();

        assertThat(runApproved()).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (signature_missing)").contains("nothing was removed");
        assertThat(err.toString().lines()).hasSize(1);
        assertNothingRemoved();
        assertThat(lastAudit().get("action").asText()).isEqualTo("archive_refused");
        assertThat(lastAudit().get("reason").asText()).isEqualTo("signature_missing");
    }

    @Test
    void approve_withTheRequestersKey_isRefused_andARunSignedTwiceByOneKeyIsRefused() throws Exception {
        planPoison();

        assertThat(run("dlq", "approve", plan.toString(), "--key", keys.resolve("alice.key").toString(), "--yes",
                "--audit-log", audit.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Not approved (same_key)").contains("second person");
        assertThat(new ObjectMapper().readTree(plan.toFile()).get("signatures")).hasSize(1);
        assertThat(lastAudit().get("action").asText()).isEqualTo("archive_approval_refused");

        // the same key twice, written with the core API past the approve command
        SigningKey alice = OperatorKeys.readPrivate(keys.resolve("alice.key"));
        ArchivePlan.read(plan).signedBy(alice, ArchivePlan.APPROVER).replace(plan);
        assertThat(runApproved()).isEqualTo(ExitCodes.REFUSED);
        assertThat(err.toString()).contains("Refused (same_key)");
        assertNothingRemoved();
    }

    @Test
    void anExpiredPlan_isNeitherApprovedNorRun() throws Exception {
        planPoison();
        // re-signed with created_at and expires_at in the past, through the core API
        ArchivePlan planned = ArchivePlan.read(plan);
        SigningKey alice = OperatorKeys.readPrivate(keys.resolve("alice.key"));
        SigningKey bob = OperatorKeys.readPrivate(keys.resolve("bob.key"));
        Instant created = Instant.now().minus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        ArchivePlan expired = new ArchivePlan(planned.queue(), planned.filter(), planned.messages(), planned.countsByKind(),
                created, created.plus(Duration.ofDays(1)), planned.requester(), List.of()).signedBy(alice, ArchivePlan.REQUESTER);
        expired.replace(plan);

        assertThat(run("dlq", "approve", plan.toString(), "--key", keys.resolve("bob.key").toString(), "--yes",
                "--audit-log", audit.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Not approved (expired)");

        expired.signedBy(bob, ArchivePlan.APPROVER).replace(plan);
        assertThat(runApproved()).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (expired)").contains("expired at");
        assertNothingRemoved();
        assertThat(lastAudit().get("reason").asText()).isEqualTo("expired");
    }

    @Test
    void run_whenPlannedIdsAreGone_isRefused_namingThemEscaped() throws Exception {
        planPoison();
        approveAsBob();
        dlq.visible.remove("p2");

        assertThat(runApproved()).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (ids_missing)").contains("no longer in the queue: p2");
        assertThat(dlq.visible).containsOnlyKeys("p1", "e1");
        assertThat(dlq.hidden).isEmpty();
        assertThat(archive).doesNotExist();
        assertThat(lastAudit().get("ids")).extracting(JsonNode::asText).containsExactly("p2");
    }

    @Test
    void run_reportsAMissingIdWithControlCharacters_escaped() throws Exception {
        dlq.add(dead("p\u001b[2J", "o-x", FailureKind.POISON, "x", Instant.now()));
        planPoison();
        approveAsBob();
        dlq.visible.remove("p\u001b[2J");

        assertThat(runApproved()).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("p\\u001b[2J").doesNotContain("\u001b");
        assertThat(dlq.visible).containsOnlyKeys("p1", "p2", "e1");
    }

    @Test
    void run_ofAPlanForAnotherQueue_isRefused() throws Exception {
        planPoison();
        approveAsBob();
        InMemoryDlq payments = new InMemoryDlq("payments");
        dlq.visible.values().forEach(payments::add);

        assertThat(runApproved(payments, keys.toString())).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (wrong_queue)").contains("orders-dlq").contains("payments-dlq");
        assertThat(payments.visible).containsOnlyKeys("p1", "p2", "e1");
        assertThat(payments.hidden).isEmpty();
        assertNothingRemoved();
    }

    @Test
    void run_ofATamperedPlan_anIdAddedAfterSigning_isRefused() throws Exception {
        planPoison();
        approveAsBob();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode json = (ObjectNode) mapper.readTree(plan.toFile());
        ((ArrayNode) json.get("messages")).addObject().put("provider_message_id", "e1").put("original_message_id", "o-3")
                .put("failure_kind", "EXHAUSTED");
        ((ObjectNode) json.get("counts_by_kind")).put("EXHAUSTED", 1);
        Files.write(plan, mapper.writeValueAsBytes(json));

        assertThat(runApproved()).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (bad_signature)").contains("changed after it was signed");
        assertNothingRemoved();
    }

    @Test
    void run_withAnUntrustedKey_isRefused() throws Exception {
        planPoison();
        approveAsBob();

        assertThat(runApproved(dlq, keys.resolve("alice.pub").toString())).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (untrusted_key)").contains("bob").contains("not trusted");
        assertNothingRemoved();
    }

    @Test
    void run_withKeysFromElsewhereUnderTheSameNames_isRefused() throws Exception {
        planPoison();
        approveAsBob();
        Path other = dir.resolve("other");
        OperatorKeys.write(OperatorKeys.generate("alice"), other);
        OperatorKeys.write(OperatorKeys.generate("bob"), other);

        assertThat(runApproved(dlq, other.toString())).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (untrusted_key)");
        assertNothingRemoved();
    }

    @Test
    void aDeadLetterAddedAfterPlanning_isNotArchived() throws Exception {
        planPoison();
        approveAsBob();
        dlq.add(dead("p9", "o-9", FailureKind.POISON, "late", Instant.now()));

        assertThat(runApproved()).as(err.toString()).isZero();

        assertThat(dlq.visible).containsOnlyKeys("e1", "p9");
        assertThat(dlq.hidden).isEmpty();
        assertThat(ExportFileSource.open(archive).deadLetters()).extracting(DeadLetter::providerMessageId).containsExactly("p1", "p2");
    }

    @Test
    void run_intoAnExistingArchiveFile_isRefused_andTheFileIsKept() throws Exception {
        planPoison();
        approveAsBob();
        Files.writeString(archive, "earlier");

        assertThat(runApproved()).isEqualTo(ExitCodes.REFUSED);

        assertThat(err.toString()).contains("Refused (archive_exists)");
        assertThat(Files.readString(archive)).isEqualTo("earlier");
        assertThat(dlq.visible).containsOnlyKeys("p1", "p2", "e1");
    }

    @Test
    void approve_declined_signsNothing_andIsAudited() throws Exception {
        planPoison();

        assertThat(run("dlq", "approve", plan.toString(), "--key", keys.resolve("bob.key").toString(), "--audit-log",
                audit.toString())).isEqualTo(ExitCodes.ABORTED);

        assertThat(new ObjectMapper().readTree(plan.toFile()).get("signatures")).hasSize(1);
        assertThat(lastAudit().get("action").asText()).isEqualTo("archive_approval_declined");
    }

    @Test
    void usageErrors_nameTheFlag() throws Exception {
        keygen("alice");
        String key = keys.resolve("alice.key").toString();

        assertThat(run("dlq", "archive", QUEUE)).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--plan").contains("--approved");
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--approved", plan.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--key");
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--key", key, "--expires-in", "8d")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--expires-in");
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--key", key, "--max", "0")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--max");
        Files.setPosixFilePermissions(keys.resolve("alice.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--key", key, "--expires-in", "0s")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--expires-in");
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--key", key, "--kind", "PERMANENT",
                "--audit-log", audit.toString())).isZero();
        assertThat(err.toString()).contains("Warning:").contains("readable by others").contains("no plan written");
        assertThat(run("dlq", "archive", QUEUE, "--plan", plan.toString(), "--key", dir.resolve("nope.key").toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--key");
        assertThat(run("dlq", "archive", QUEUE, "--approved", plan.toString(), "--archive-file", archive.toString()))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--trust");
        assertThat(run("dlq", "archive", QUEUE, "--approved", plan.toString(), "--trust", keys.toString(), "--kind", "POISON",
                "--archive-file", archive.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("filters");
        assertThat(plan).doesNotExist();
        assertThat(dlq.visible).hasSize(3);
        for (String command : new String[] {"keygen", "archive", "approve"}) {
            assertThat(run("dlq", command, "--help")).isZero();
            assertThat(out.toString()).startsWith("Usage: sluice dlq " + command);
        }
    }
}
