package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import dev.sluice.core.redrive.SluiceAttributes;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DlqCommandsTest {
    private static final String QUEUE = "--aws-queue=orders";

    @TempDir Path dir;

    private final InMemoryDlq dlq = new InMemoryDlq();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void fill() {
        Instant now = Instant.now();
        dlq.add(dead("p1", "o-1", FailureKind.POISON, "{\"card\":\"4111 1111 1111 1111\"}", now));
        dlq.add(dead("p2", "o-2", FailureKind.POISON, "not json", now));
        dlq.add(dead("e1", "o-3", FailureKind.EXHAUSTED, "{\"orderId\":\"o-3\"}", now));
    }

    private static DeadLetter dead(String providerId, String id, FailureKind kind, String body, Instant at) {
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(kind, "com.example." + kind, "failed " + id,
                kind.name().toLowerCase(), 3, at, at, "orders", id);
        return new DeadLetter("h-" + providerId, providerId, body.getBytes(StandardCharsets.UTF_8), envelope.toAttributes(), at);
    }

    private int run(String answers, String... args) {
        CommandLine cli = SluiceCli.commandLine(options -> dlq, new BufferedReader(new StringReader(answers)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void stats_reportsDepth_asTextAndJson() throws Exception {
        assertThat(run("", "dlq", "stats", QUEUE)).isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).contains("visible    3");

        out.getBuffer().setLength(0);
        assertThat(run("", "dlq", "stats", QUEUE, "--output", "json")).isZero();
        assertThat(new ObjectMapper().readTree(out.toString()).get("visible").asInt()).isEqualTo(3);
    }

    @Test
    void inspect_groupsByKind_redactsExcerpts_andLeavesEverythingInTheQueue() {
        int code = run("", "dlq", "inspect", QUEUE, "--messages");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("3 dead letters read, 2 groups").contains("POISON").contains("EXHAUSTED")
                .contains("[REDACTED_CARD]").doesNotContain("4111 1111");
        assertThat(dlq.visible).hasSize(3);
    }

    @Test
    void redrive_withYes_movesOnlyTheFilteredKind_keepsIds_andWritesAnAuditRecord() throws Exception {
        Path audit = dir.resolve("audit.jsonl");

        int code = run("", "dlq", "redrive", QUEUE, "--kind", "EXHAUSTED", "--yes", "--operator", "oncall-ana",
                "--audit-log", audit.toString());

        assertThat(code).isEqualTo(ExitCodes.OK);
        assertThat(dlq.redriven).singleElement().satisfies(e -> {
            assertThat(new String(e.getKey(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":\"o-3\"}");
            assertThat(e.getValue()).containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "o-3")
                    .containsEntry(SluiceAttributes.REDRIVE_COUNT, "1").doesNotContainKey(SluiceAttributes.FAILURE_KIND);
        });
        assertThat(dlq.visible).containsOnlyKeys("p1", "p2");
        assertThat(dlq.hidden).isEmpty();
        JsonNode last = new ObjectMapper().readTree(Files.readAllLines(audit).getLast());
        assertThat(last.get("operator").asText()).isEqualTo("oncall-ana");
        assertThat(last.get("moved").asInt()).isEqualTo(1);
        assertThat(last.get("dry_run").asBoolean()).isFalse();
    }

    @Test
    void redrive_withoutConfirmation_movesNothing_andExitsAborted() {
        int code = run("", "dlq", "redrive", QUEUE, "--audit-log", dir.resolve("a.jsonl").toString());

        assertThat(code).isEqualTo(ExitCodes.ABORTED);
        assertThat(err.toString()).contains("Plan: move 3 of 3").contains("Aborted");
        assertThat(dlq.redriven).isEmpty();
        assertThat(dlq.visible).hasSize(3);
    }

    @Test
    void redrive_confirmedInteractively_movesEverything() {
        int code = run("yes\n", "dlq", "redrive", QUEUE, "--audit-log", dir.resolve("a.jsonl").toString());

        assertThat(code).isZero();
        assertThat(dlq.redriven).hasSize(3);
        assertThat(dlq.visible).isEmpty();
    }

    @Test
    void redrive_dryRun_countsAndMovesNothing() throws Exception {
        int code = run("", "dlq", "redrive", QUEUE, "--dry-run", "--kind", "POISON", "-o", "json",
                "--audit-log", dir.resolve("a.jsonl").toString());

        assertThat(code).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("matched").asInt()).isEqualTo(2);
        assertThat(json.get("moved").asInt()).isZero();
        assertThat(dlq.visible).hasSize(3);
    }

    @Test
    void nativeRedrive_onAProviderWithout_isAUsageError() {
        assertThat(run("", "dlq", "redrive", QUEUE, "--native", "--yes")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("", "dlq", "tasks", QUEUE)).isEqualTo(ExitCodes.USAGE);
        assertThat(run("", "dlq", "cancel", QUEUE, "task-1")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("AWS SQS only").contains("move tasks exist on AWS SQS only");
        assertThat(dlq.visible).hasSize(3);
    }

    @Test
    void export_writesJsonLines_andLeavesTheQueueAlone() throws Exception {
        Path file = dir.resolve("dlq.jsonl");

        assertThat(run("", "dlq", "export", QUEUE, "--out", file.toString())).isZero();

        assertThat(Files.readAllLines(file)).hasSize(3);
        assertThat(dlq.visible).hasSize(3);
    }

    @Test
    void missingQueue_isAUsageError_andEveryCommandHasHelp() {
        assertThat(run("", "dlq", "stats")).isEqualTo(ExitCodes.USAGE);
        for (String command : new String[] {"stats", "inspect", "redrive", "export", "tasks", "cancel"}) {
            out.getBuffer().setLength(0);
            assertThat(run("", "dlq", command, "--help")).isZero();
            assertThat(out.toString()).startsWith("Usage: sluice dlq " + command);
        }
        out.getBuffer().setLength(0);
        assertThat(run("", "--help")).isZero();
        assertThat(out.toString()).contains("demo").contains("dlq");
    }
}
