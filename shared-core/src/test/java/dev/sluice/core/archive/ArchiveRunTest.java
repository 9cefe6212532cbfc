package dev.sluice.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.AuditEvent;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import dev.sluice.core.redrive.DeadLetterSource;
import dev.sluice.core.redrive.ExportFileSource;
import dev.sluice.core.redrive.JsonLinesAuditLog;
import dev.sluice.core.redrive.RedriveFilter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveRunTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final SigningKey ALICE = OperatorKeys.generate("alice");
    private static final SigningKey BOB = OperatorKeys.generate("bob");

    @TempDir Path dir;

    /** Hides what it hands out until removed or released, like SQS. */
    private static class Queue implements DeadLetterSource {
        final Map<String, DeadLetter> visible = new LinkedHashMap<>();
        final Map<String, DeadLetter> hidden = new LinkedHashMap<>();

        @Override
        public String name() {
            return "orders-dlq";
        }

        @Override
        public List<DeadLetter> receive(int max) {
            List<DeadLetter> batch = visible.values().stream().limit(max).toList();
            batch.forEach(d -> hidden.put(visible.remove(d.providerMessageId()).providerMessageId(), d));
            return batch;
        }

        @Override
        public void remove(DeadLetter d) {
            hidden.remove(d.providerMessageId());
        }

        @Override
        public void release(DeadLetter d) {
            DeadLetter back = hidden.remove(d.providerMessageId());
            if (back != null) {
                visible.put(back.providerMessageId(), back);
            }
        }
    }

    private final Queue queue = new Queue();

    @BeforeEach
    void fill() {
        for (int i = 0; i < 25; i++) {
            FailureKind kind = i % 5 == 0 ? FailureKind.POISON : FailureKind.EXHAUSTED;
            DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, "com.example.E", "failed", "fp", 3, NOW, NOW, "orders", "o-" + i);
            queue.visible.put("p" + i, new DeadLetter("h" + i, "p" + i, ("{\"n\":" + i + "}\u0000\u00ff").getBytes(StandardCharsets.ISO_8859_1),
                    envelope.toAttributes(), NOW));
        }
    }

    private ArchiveApproval.VerifiedPlan approvedPoison() {
        ArchiveSelection selection = ArchiveSelection.select(queue, RedriveFilter.builder().kinds(Set.of(FailureKind.POISON)).build(),
                Integer.MAX_VALUE, NOW);
        assertThat(selection.scanned()).isEqualTo(25);
        assertThat(queue.visible).hasSize(25);
        assertThat(queue.hidden).isEmpty();
        ArchivePlan plan = ArchiveApproval.approve(ArchivePlan.request(queue.name(), Map.of(), selection.selected(), NOW,
                Duration.ofHours(1), ALICE), BOB, NOW);
        return ArchiveApproval.verify(plan, Map.of(ALICE.fingerprint(), ALICE.identity(), BOB.fingerprint(), BOB.identity()),
                queue.name(), NOW);
    }

    @Test
    void run_archivesExactlyThePlannedDeadLetters_byteForByte_andReleasesTheRest() throws Exception {
        ArchiveApproval.VerifiedPlan verified = approvedPoison();
        Path file = dir.resolve("archive.jsonl");

        ArchiveRun.Report report = ArchiveRun.run(verified, queue, file);

        assertThat(report.archived()).isEqualTo(5);
        assertThat(report.notRemoved()).isEmpty();
        assertThat(queue.visible).hasSize(20).doesNotContainKeys("p0", "p5", "p10", "p15", "p20");
        assertThat(queue.hidden).isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        List<DeadLetter> archived = ExportFileSource.open(file).deadLetters();
        assertThat(archived).extracting(DeadLetter::providerMessageId).containsExactly("p0", "p5", "p10", "p15", "p20");
        assertThat(archived.get(1).body()).isEqualTo("{\"n\":5}\u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(report.archiveSha256()).isEqualTo(ExportFileSource.open(file).sha256());

        // the audit record of the run, in the same file as redrive records
        Path audit = dir.resolve("audit.jsonl");
        new JsonLinesAuditLog(audit).writeEvent(ArchiveAudit.done("carol", verified, dir.resolve("plan.json"), report, NOW));
        String line = Files.readString(audit);
        assertThat(line).startsWith("{\"operator\":\"carol\",\"at\":\"2026-03-01T10:00:00Z\",\"action\":\"archive_done\","
                + "\"source\":\"orders-dlq\",\"plan_id\":\"" + verified.plan().planId() + "\"")
                .contains("\"archived\":5").contains("\"archive_sha256\":\"" + report.archiveSha256() + "\"");
    }

    @Test
    void run_refusesWhenAPlannedDeadLetterIsGone_namingIt_andRemovesNothing() {
        ArchiveApproval.VerifiedPlan verified = approvedPoison();
        queue.visible.remove("p10");
        Path file = dir.resolve("archive.jsonl");

        assertThatThrownBy(() -> ArchiveRun.run(verified, queue, file))
                .isInstanceOfSatisfying(ArchiveRefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(ArchiveRefusedException.Reason.IDS_MISSING);
                    assertThat(e.ids()).containsExactly("p10");
                }).hasMessageContaining("p10");
        assertThat(queue.visible).hasSize(24);
        assertThat(queue.hidden).isEmpty();
        assertThat(file).doesNotExist();
    }

    @Test
    void run_refusesAnExistingArchiveFile_beforeReceivingAnything() throws Exception {
        ArchiveApproval.VerifiedPlan verified = approvedPoison();
        Path file = Files.writeString(dir.resolve("archive.jsonl"), "keep");

        assertThatThrownBy(() -> ArchiveRun.run(verified, queue, file)).isInstanceOfSatisfying(ArchiveRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(ArchiveRefusedException.Reason.ARCHIVE_EXISTS));
        assertThat(Files.readString(file)).isEqualTo("keep");
        assertThat(queue.visible).hasSize(25);
    }

    @Test
    void run_whenARemovalFails_reportsItsId_andLeavesItInTheQueue_archivedAsWell() throws Exception {
        ArchiveApproval.VerifiedPlan verified = approvedPoison();
        Queue failing = new Queue() {
            @Override
            public void remove(DeadLetter d) {
                if (d.providerMessageId().equals("p5")) {
                    throw new IllegalStateException("receipt handle expired");
                }
                super.remove(d);
            }
        };
        failing.visible.putAll(queue.visible);
        Path file = dir.resolve("archive.jsonl");

        ArchiveRun.Report report = ArchiveRun.run(verified, failing, file);

        assertThat(report.archived()).isEqualTo(4);
        assertThat(report.notRemoved()).containsExactly("p5");
        assertThat(failing.visible).hasSize(21).containsKey("p5");
        assertThat(failing.hidden).isEmpty();
        assertThat(ExportFileSource.open(file).deadLetters()).hasSize(5);
    }

    @Test
    void auditEvent_keysMayNotRepeatTheFixedFields() {
        assertThatThrownBy(() -> new AuditEvent("a", NOW, "x", "q", Map.of("operator", "b")))
                .isInstanceOf(IllegalArgumentException.class);
        List<Object> kept = new ArrayList<>();
        dev.sluice.core.redrive.AuditLog recordsOnly = kept::add;
        assertThatThrownBy(() -> recordsOnly.writeEvent(new AuditEvent("a", NOW, "x", "q", Map.of())))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
