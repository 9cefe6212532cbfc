package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.security.TerminalText;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
        return runOn(dlq, answers, args);
    }

    /** Runs the CLI with {@code backend} as whatever queue the options name. */
    private int runOn(InMemoryDlq backend, String answers, String... args) {
        CommandLine cli = SluiceCli.commandLine(options -> backend, new BufferedReader(new StringReader(answers)));
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
        // one record for the one decision: the plan shown before the run is not audited as a dry run of its own
        assertThat(Files.readAllLines(audit)).hasSize(1);
        assertThat(last.get("outcome").asText()).isEqualTo("confirmed");
        assertThat(last.get("filter").get("kinds")).hasSize(1);
        assertThat(last.get("filter").get("kinds").get(0).asText()).isEqualTo("EXHAUSTED");
    }

    @Test
    void redrive_withoutConfirmation_movesNothing_andExitsAborted() {
        int code = run("", "dlq", "redrive", QUEUE, "--audit-log", dir.resolve("a.jsonl").toString());

        assertThat(code).isEqualTo(ExitCodes.ABORTED);
        assertThat(err.toString()).contains("Plan: move 3 of 3").contains("Declined; nothing was moved");
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
    void export_toAFile_isReadableByItsOwnerOnly_evenOverAnExistingFile_andSummarisesInJson() throws Exception {
        // GIVEN an earlier export left readable by everyone
        Path file = dir.resolve("backup.jsonl");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));

        // WHEN the dead letters are exported over it, with JSON output
        int code = run("", "dlq", "export", QUEUE, "--out", file.toString(), "-o", "json");

        // THEN the file is mode 0600 with every dead letter, and standard output is a summary a script can read
        assertThat(code).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(file)).hasSize(3);
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertThat(summary.get("exported").asInt()).isEqualTo(3);
        assertThat(summary.get("file").asText()).isEqualTo(file.toAbsolutePath().toString());
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

    private static final String ESC = "\u001b";
    private static final String CSI8 = "\u009b";
    private static final String RLO = "\u202E";

    /** A dead letter an attacker shaped: hostile error type and message in its envelope, and a hostile body. */
    private void addHostileDeadLetters() {
        Instant now = Instant.now();
        DeadLetterEnvelope envelope = new DeadLetterEnvelope(FailureKind.PERMANENT,
                "x.Boom" + ESC + "[2J" + CSI8 + "31m" + RLO + "exe.txt", "failed" + ESC + "]0;owned" + RLO,
                "fp" + RLO, 1, now, now, "orders", "o-" + ESC + "[1A");
        dlq.add(new DeadLetter("h-x1", "x1", "bell\u0007 and \u202Ereversed".getBytes(StandardCharsets.UTF_8),
                envelope.toAttributes(), now));
        // no Sluice envelope: the provider's id is shown, exactly as the provider gave it
        dlq.add(new DeadLetter("h-x2", "x2-" + ESC + "[2J" + RLO, "{}".getBytes(StandardCharsets.UTF_8),
                java.util.Map.of("custom", "v" + ESC + "[2J"), now));
    }

    private static void assertNothingDrivesTheTerminal(String output) {
        assertThat(output.codePoints().filter(cp -> cp != '\\' && cp != '\n' && TerminalText.unsafe(cp)).toArray())
                .as("control, bidi or format characters printed raw").isEmpty();
    }

    @Test
    void inspect_printsControlAndBidiCharactersFromDeadLetters_escaped() {
        // GIVEN dead letters whose error type, error message, fingerprint, ids and body hold escape sequences,
        // an 8-bit CSI and a right-to-left override
        addHostileDeadLetters();

        // WHEN an operator inspects them, with each message listed
        int code = run("", "dlq", "inspect", QUEUE, "--messages");

        // THEN nothing printed can drive the terminal, and each such character is a visible escape
        assertThat(code).isZero();
        String shown = out.toString();
        assertNothingDrivesTheTerminal(shown);
        // the envelope had already made ESC (which no provider accepts) U+FFFD; the C1 CSI and the override stay and
        // are escaped
        assertThat(shown).contains("x.Boom\uFFFD[2J\\u009b31m\\u202eexe.txt")
                .contains("failed\uFFFD]0;owned\\u202e")
                .contains("fp\\u202e")
                .contains("x2-\\u001b[2J\\u202e")
                .contains("bell\\u0007 and \\u202ereversed");
    }

    @Test
    void inspect_asJson_staysValidJson_withTheSameEscapesInItsValues() throws Exception {
        // GIVEN the same hostile dead letters
        addHostileDeadLetters();

        // WHEN inspected as JSON
        int code = run("", "dlq", "inspect", QUEUE, "--messages", "-o", "json");

        // THEN the output parses, holds no raw control or bidi character, and the values are escaped as in text
        assertThat(code).isZero();
        assertNothingDrivesTheTerminal(out.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("read").asInt()).isEqualTo(5);
        assertThat(json.get("groups").findValuesAsText("error_type"))
                .contains("x.Boom\uFFFD[2J\\u009b31m\\u202eexe.txt");
        assertThat(json.get("messages").findValuesAsText("provider_message_id")).contains("x2-\\u001b[2J\\u202e");
        assertThat(json.get("messages").findValuesAsText("excerpt")).contains("bell\\u0007 and \\u202ereversed");
    }

    @Test
    void inspect_neverShowsAnEmailTheExcerptLimitCuts() throws Exception {
        // GIVEN a body whose e-mail address crosses the excerpt's 160-byte limit
        String body = "{\"note\":\"" + "x".repeat(140) + "\",\"email\":\"jane.doe@example.com\"}";
        dlq.add(dead("p9", "o-9", FailureKind.POISON, body, Instant.now()));

        // WHEN inspected, as text and as JSON
        assertThat(run("", "dlq", "inspect", QUEUE, "--messages")).isZero();
        assertThat(run("", "dlq", "inspect", QUEUE, "--messages", "-o", "json")).isZero();

        // THEN no part of the address shows
        assertThat(out.toString()).doesNotContain("jane").doesNotContain("@example");
    }

    @Test
    void export_toTheTerminal_escapesControlCharacters_asJsonEscapes_keepingTheValuesExact() throws Exception {
        // GIVEN a dead letter with a hostile attribute value
        addHostileDeadLetters();

        // WHEN exported to standard output
        assertThat(run("", "dlq", "export", QUEUE)).isZero();

        // THEN nothing in it drives the terminal, and the value reads back exactly
        assertNothingDrivesTheTerminal(out.toString());
        String last = out.toString().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(new ObjectMapper().readTree(last).get("attributes").get("custom").asText()).isEqualTo("v" + ESC + "[2J");
    }

    @Test
    void maxBelowOne_isAUsageError_namingTheFlag() {
        for (String command : new String[] {"inspect", "export", "redrive"}) {
            // GIVEN --max 0
            err.getBuffer().setLength(0);

            // WHEN any command that reads a --max runs
            int code = "redrive".equals(command)
                    ? run("", "dlq", command, QUEUE, "--max", "0", "--yes", "--audit-log", dir.resolve("a.jsonl").toString())
                    : run("", "dlq", command, QUEUE, "--max", "0");

            // THEN it exits 2 and names the flag, not an internal field
            assertThat(code).as(command).isEqualTo(ExitCodes.USAGE);
            assertThat(err.toString()).as(command).contains("--max").contains("at least 1").doesNotContain("maxMessages");
        }
        assertThat(dlq.redriven).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:9324", "not a url", "/just/a/path", "http://", "orders"})
    void badEndpoint_isAUsageError_namingTheFlag(String endpoint) {
        // WHEN --endpoint is not a URL with a scheme and a host
        int code = run("", "dlq", "stats", QUEUE, "--endpoint", endpoint);

        // THEN it exits 2 and names the flag
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--endpoint");
    }

    @Test
    void goodEndpoint_isAccepted() {
        assertThat(run("", "dlq", "stats", QUEUE, "--endpoint", "http://localhost:9324")).isZero();
    }

    @Test
    void kind_isCaseInsensitive() throws Exception {
        // WHEN the kind is typed in lower case
        int code = run("", "dlq", "redrive", QUEUE, "--kind", "poison", "--dry-run", "-o", "json",
                "--audit-log", dir.resolve("a.jsonl").toString());

        // THEN it filters like POISON
        assertThat(code).isZero();
        assertThat(new ObjectMapper().readTree(out.toString()).get("matched").asInt()).isEqualTo(2);
    }

    private void agedDeadLetters() {
        dlq.visible.clear();
        Instant threeHoursAgo = Instant.now().minus(Duration.ofHours(3));
        dlq.add(dead("p1", "o-1", FailureKind.POISON, "not json", threeHoursAgo));
        dlq.add(dead("p2", "o-2", FailureKind.POISON, "not json either", threeHoursAgo));
        dlq.add(dead("e1", "o-3", FailureKind.EXHAUSTED, "{}", threeHoursAgo));
        dlq.add(dead("e2", "o-4", FailureKind.EXHAUSTED, "{}", Instant.now()));
        dlq.add(dead("t1", "o-5", FailureKind.TIMEOUT, "{}", threeHoursAgo));
    }

    @Test
    void redrivePlan_showsTheKindsAndAReadableFilter_warnsAboutPoison_andADeclinedRunIsAuditedAsDeclined() throws Exception {
        // GIVEN two POISON and one EXHAUSTED dead letter three hours old, a fresh EXHAUSTED one and an old TIMEOUT one
        agedDeadLetters();
        Path audit = dir.resolve("audit.jsonl");

        // WHEN the operator plans POISON and EXHAUSTED older than 2h, and answers no
        int code = run("n\n", "dlq", "redrive", QUEUE, "--kind", "exhausted,poison", "--older-than", "2h",
                "--operator", "oncall-ana", "--audit-log", audit.toString());

        // THEN the plan counts the selection by kind, prints the filter in words and warns before moving POISON
        assertThat(code).isEqualTo(ExitCodes.ABORTED);
        assertThat(err.toString())
                .contains("Plan: move 3 of 5 dead letters from orders-dlq to orders")
                .contains("filter   kind in (POISON, EXHAUSTED), older than 2h")
                .contains("by kind  POISON 2, EXHAUSTED 1")
                .contains("Warning: POISON 2 will fail again unless their cause changed")
                .contains("Proceed? [y/N]")
                .contains("Declined; nothing was moved")
                .doesNotContain("kinds=").doesNotContain("PT2H");
        // AND nothing moved: every dead letter is still in the queue
        assertThat(dlq.redriven).isEmpty();
        assertThat(dlq.visible).hasSize(5);
        assertThat(dlq.hidden).isEmpty();
        // AND the audit file holds one record, declined, with the filter as a JSON object
        assertThat(Files.readAllLines(audit)).hasSize(1);
        JsonNode record = new ObjectMapper().readTree(Files.readAllLines(audit).getFirst());
        assertThat(record.get("outcome").asText()).isEqualTo("declined");
        assertThat(record.get("dry_run").asBoolean()).isFalse();
        assertThat(record.get("operator").asText()).isEqualTo("oncall-ana");
        assertThat(record.get("matched").asInt()).isEqualTo(3);
        assertThat(record.get("moved").asInt()).isZero();
        assertThat(record.get("filter").isObject()).isTrue();
        assertThat(record.get("filter").get("kinds").toString()).isEqualTo("[\"POISON\",\"EXHAUSTED\"]");
        assertThat(record.get("filter").get("older_than").asText()).isEqualTo("PT2H");
        assertThat(record.get("filter").has("newer_than")).isFalse();
    }

    @Test
    void redrivePlan_asJson_carriesTheKindsTheFilterAndTheWarning() throws Exception {
        // GIVEN the same dead letters, one of them SIGNATURE_INVALID too
        agedDeadLetters();
        dlq.add(dead("s1", "o-6", FailureKind.SIGNATURE_INVALID, "{}", Instant.now()));
        Path audit = dir.resolve("audit.jsonl");

        // WHEN everything is planned as a dry run, as JSON
        int code = run("", "dlq", "redrive", QUEUE, "--dry-run", "-o", "json", "--audit-log", audit.toString());

        // THEN the JSON has the breakdown, the filter (empty: everything) and the warning naming both kinds
        assertThat(code).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("outcome").asText()).isEqualTo("dry_run");
        assertThat(json.get("plan").get("by_kind").get("POISON").asInt()).isEqualTo(2);
        assertThat(json.get("plan").get("by_kind").get("EXHAUSTED").asInt()).isEqualTo(2);
        assertThat(json.get("plan").get("by_kind").get("TIMEOUT").asInt()).isEqualTo(1);
        assertThat(json.get("plan").get("by_kind").get("SIGNATURE_INVALID").asInt()).isEqualTo(1);
        assertThat(json.get("plan").get("filter").isEmpty()).isTrue();
        assertThat(json.get("plan").get("filter_text").asText()).isEqualTo("everything");
        assertThat(json.get("warning").asText()).startsWith("Warning: POISON 2, SIGNATURE_INVALID 1 will fail again");
        // AND the dry run is audited as one, and nothing moved
        JsonNode record = new ObjectMapper().readTree(Files.readAllLines(audit).getLast());
        assertThat(record.get("outcome").asText()).isEqualTo("dry_run");
        assertThat(record.get("filter").isObject()).isTrue();
        assertThat(dlq.visible).hasSize(6);
        assertThat(dlq.redriven).isEmpty();
    }

    @Test
    void redrivePlan_withoutPoisonOrSignatureFailures_hasNoWarning() throws Exception {
        // GIVEN the aged dead letters
        agedDeadLetters();

        // WHEN only EXHAUSTED and TIMEOUT are redriven, with --yes, as text and then nothing is left to plan as JSON
        int code = run("", "dlq", "redrive", QUEUE, "--kind", "EXHAUSTED,TIMEOUT", "--yes",
                "--audit-log", dir.resolve("a.jsonl").toString());

        // THEN the plan lists the kinds, warns about nothing, and the three moved
        assertThat(code).isZero();
        assertThat(err.toString()).contains("by kind  EXHAUSTED 2, TIMEOUT 1").doesNotContain("Warning");
        assertThat(dlq.redriven).hasSize(3);
        assertThat(dlq.visible).containsOnlyKeys("p1", "p2");

        out.getBuffer().setLength(0);
        assertThat(run("", "dlq", "redrive", QUEUE, "--kind", "EXHAUSTED", "--dry-run", "-o", "json",
                "--audit-log", dir.resolve("a.jsonl").toString())).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("matched").asInt()).isZero();
        assertThat(json.get("warning").isNull()).isTrue();
    }

    @Test
    void redriveDryRun_asText_printsThePlan() {
        // GIVEN the aged dead letters
        agedDeadLetters();

        // WHEN a filtered dry run is printed as text
        int code = run("", "dlq", "redrive", QUEUE, "--dry-run", "--kind", "POISON", "--newer-than", "1d",
                "--audit-log", dir.resolve("a.jsonl").toString());

        // THEN the plan is on standard output, in words
        assertThat(code).isZero();
        assertThat(out.toString()).contains("Plan: move 2 of 5").contains("filter   kind in (POISON), newer than 1d")
                .contains("by kind  POISON 2").contains("Warning: POISON 2").contains("(dry run)");
        assertThat(dlq.visible).hasSize(5);
    }

    @Test
    void stats_showsTheOldestAgeAndTheKinds_fromAScanOfEveryDeadLetter() throws Exception {
        // GIVEN five dead letters, the oldest three hours old
        agedDeadLetters();

        // WHEN stats run with the default scan
        int code = run("", "dlq", "stats", QUEUE);

        // THEN the oldest age and the kinds show, read from all five, and every dead letter is still in the queue
        assertThat(code).isZero();
        assertThat(out.toString()).contains("visible    5").contains("oldest     3h 0m")
                .contains("by kind    EXHAUSTED 2, POISON 2, TIMEOUT 1")
                .contains("scan       kinds and oldest age from all 5 dead letters");
        assertThat(dlq.visible).hasSize(5);
        assertThat(dlq.hidden).isEmpty();

        out.getBuffer().setLength(0);
        assertThat(run("", "dlq", "stats", QUEUE, "-o", "json")).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("oldest_age_seconds").asLong()).isBetween(3 * 3600L, 3 * 3600L + 60);
        assertThat(json.get("oldest_age").asText()).startsWith("PT3H");
        assertThat(json.get("oldest_age_from").asText()).isEqualTo("scan");
        assertThat(json.get("by_kind").get("POISON").asInt()).isEqualTo(2);
        assertThat(json.get("scan").get("read").asInt()).isEqualTo(5);
        assertThat(json.get("scan").get("complete").asBoolean()).isTrue();
    }

    @Test
    void stats_withABoundedScan_saysHowManyOfHowMany() throws Exception {
        // GIVEN five dead letters: the first two are POISON, three hours old
        agedDeadLetters();

        // WHEN only two are scanned
        int code = run("", "dlq", "stats", QUEUE, "--scan", "2");

        // THEN the kinds and age come from those two, and the output says so
        assertThat(code).isZero();
        assertThat(out.toString()).contains("by kind    POISON 2")
                .contains("scan       kinds and oldest age from the first 2 of 5 dead letters (--scan 2)")
                .contains("oldest     3h 0m (oldest of those scanned");

        out.getBuffer().setLength(0);
        assertThat(run("", "dlq", "stats", QUEUE, "--scan", "2", "-o", "json")).isZero();
        JsonNode scan = new ObjectMapper().readTree(out.toString()).get("scan");
        assertThat(scan.get("read").asInt()).isEqualTo(2);
        assertThat(scan.get("limit").asInt()).isEqualTo(2);
        assertThat(scan.get("of").asInt()).isEqualTo(5);
        assertThat(scan.get("complete").asBoolean()).isFalse();
        assertThat(dlq.visible).hasSize(5);
    }

    @Test
    void stats_onAnEmptyQueue_showsNoAge() {
        // GIVEN no dead letters
        dlq.visible.clear();

        // WHEN stats run
        assertThat(run("", "dlq", "stats", QUEUE)).isZero();

        // THEN there is no age and no kind
        assertThat(out.toString()).contains("oldest     -").contains("by kind    -").contains("no dead letter read");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3", "many"})
    void stats_scanBelowOne_isAUsageError_namingTheFlag(String scan) {
        // WHEN --scan is not a whole number of at least 1
        int code = run("", "dlq", "stats", QUEUE, "--scan", scan);

        // THEN it exits 2 and names the flag
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--scan");
        assertThat(out.toString()).isEmpty();
    }

    /** Field names of every object in the document, except inside objects whose keys are data (failure kinds). */
    private static void collectKeys(JsonNode node, java.util.Set<String> keys) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                keys.add(e.getKey());
                if (!"by_kind".equals(e.getKey())) {
                    collectKeys(e.getValue(), keys);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> collectKeys(child, keys));
        }
    }

    @Test
    void jsonOutput_usesSnakeCaseKeys_everywhere() throws Exception {
        // GIVEN dead letters of several kinds
        agedDeadLetters();
        String audit = dir.resolve("a.jsonl").toString();
        String[][] commands = {
            {"dlq", "stats", QUEUE, "-o", "json"},
            {"dlq", "inspect", QUEUE, "--messages", "-o", "json"},
            {"dlq", "redrive", QUEUE, "--dry-run", "--kind", "POISON", "--older-than", "1h", "-o", "json", "--audit-log", audit},
        };
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (String[] command : commands) {
            // WHEN each command prints JSON
            out.getBuffer().setLength(0);
            assertThat(run("", command)).as(String.join(" ", command)).isZero();
            collectKeys(new ObjectMapper().readTree(out.toString()), keys);
        }

        // THEN every key is snake_case, records included (inspect's groups were camelCase)
        assertThat(keys).allMatch(k -> k.matches("[a-z][a-z0-9]*(_[a-z0-9]+)*"), "snake_case")
                .contains("failure_kind", "error_type", "error_fingerprint", "sample_error", "total_bytes", "oldest_failure",
                        "sample_ids", "in_flight", "oldest_age", "by_kind", "older_than", "filter_text", "provider_message_id");
        // AND the audit file keeps the same style
        JsonNode record = new ObjectMapper().readTree(Files.readAllLines(Path.of(audit)).getLast());
        java.util.Set<String> auditKeys = new java.util.TreeSet<>();
        collectKeys(record, auditKeys);
        assertThat(auditKeys).allMatch(k -> k.matches("[a-z][a-z0-9]*(_[a-z0-9]+)*"), "snake_case");
    }

    // ---- restoring an export: dlq redrive --from-file

    /** Exports {@link #dlq} (three dead letters, one with a custom attribute) to a file the way an operator would. */
    private Path exportOfTheDlq() {
        DeadLetter withCorrelation = dead("e2", "o-4", FailureKind.EXHAUSTED, "{\"orderId\":\"o-4\"}", Instant.now());
        java.util.Map<String, String> attributes = new java.util.HashMap<>(withCorrelation.attributes());
        attributes.put(SluiceAttributes.CORRELATION_ID, "corr-42");
        dlq.add(new DeadLetter("h-e2", "e2", withCorrelation.body(), attributes, withCorrelation.enqueuedAt()));
        Path file = dir.resolve("dlq.jsonl");
        assertThat(run("", "dlq", "export", QUEUE, "--out", file.toString())).isZero();
        err.getBuffer().setLength(0);
        return file;
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    private static java.util.Map<String, java.util.Map<String, String>> byStableId(InMemoryDlq queue) {
        java.util.Map<String, java.util.Map<String, String>> sent = new java.util.LinkedHashMap<>();
        queue.redriven.forEach(e -> sent.put(e.getValue().get(SluiceAttributes.ORIGINAL_MESSAGE_ID), e.getValue()));
        return sent;
    }

    @Test
    void restore_fromAnExport_sendsBodiesAttributesAndStableIds_toTheNamedQueue_andAuditsTheFile() throws Exception {
        // GIVEN an export of four dead letters from orders-dlq, and an empty queue "payments" to restore into
        Path file = exportOfTheDlq();
        byte[] exported = Files.readAllBytes(file);
        InMemoryDlq payments = new InMemoryDlq("payments");
        Path audit = dir.resolve("audit.jsonl");

        // WHEN the operator restores the file into payments with --yes
        int code = runOn(payments, "", "dlq", "redrive", "--from-file", file.toString(), "--aws-queue=payments", "--yes",
                "--operator", "oncall-ana", "--audit-log", audit.toString());

        // THEN every dead letter arrives in payments: exact body, its attributes, its stable id, failure details dropped
        assertThat(code).isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).contains("Redrive finished").contains("scanned 4, matched 4, moved 4, failed 0");
        assertThat(byStableId(payments)).containsOnlyKeys("o-1", "o-2", "o-3", "o-4");
        assertThat(payments.redriven).anySatisfy(e -> {
            assertThat(new String(e.getKey(), StandardCharsets.UTF_8)).isEqualTo("{\"card\":\"4111 1111 1111 1111\"}");
            assertThat(e.getValue()).containsEntry(SluiceAttributes.ORIGINAL_MESSAGE_ID, "o-1");
        });
        assertThat(byStableId(payments).get("o-4")).containsEntry(SluiceAttributes.CORRELATION_ID, "corr-42")
                .containsEntry(SluiceAttributes.REDRIVE_COUNT, "1").doesNotContainKey(SluiceAttributes.FAILURE_KIND);
        // AND the file is unchanged, the exported queue still holds its dead letters, payments' own DLQ was not read
        assertThat(Files.readAllBytes(file)).isEqualTo(exported);
        assertThat(dlq.visible).hasSize(4);
        assertThat(payments.visible).isEmpty();
        assertThat(payments.hidden).isEmpty();
        // AND one audit record names the file (absolute path and SHA-256) as the source and payments as the target
        assertThat(Files.readAllLines(audit)).hasSize(1);
        JsonNode record = new ObjectMapper().readTree(Files.readAllLines(audit).getFirst());
        assertThat(record.get("source").asText()).isEqualTo("file:" + file.toAbsolutePath() + " sha256:" + sha256(file));
        assertThat(record.get("target").asText()).isEqualTo("payments");
        assertThat(record.get("outcome").asText()).isEqualTo("confirmed");
        assertThat(record.get("operator").asText()).isEqualTo("oncall-ana");
        assertThat(record.get("moved").asInt()).isEqualTo(4);
    }

    @Test
    void restore_appliesTheFilterAndMax_andADryRunMovesNothing() throws Exception {
        // GIVEN an export holding two POISON and two EXHAUSTED dead letters
        Path file = exportOfTheDlq();
        InMemoryDlq payments = new InMemoryDlq("payments");
        Path audit = dir.resolve("audit.jsonl");

        // WHEN the operator plans the EXHAUSTED ones as a dry run
        int dry = runOn(payments, "", "dlq", "redrive", "--from-file", file.toString(), "--aws-queue=payments",
                "--kind", "exhausted", "--dry-run", "-o", "json", "--audit-log", audit.toString());

        // THEN the plan counts two of four from the file and nothing arrives in payments
        assertThat(dry).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("scanned").asInt()).isEqualTo(4);
        assertThat(json.get("matched").asInt()).isEqualTo(2);
        assertThat(json.get("moved").asInt()).isZero();
        assertThat(json.get("plan").get("source").asText()).startsWith("file:" + file.toAbsolutePath());
        assertThat(payments.redriven).isEmpty();

        // WHEN the operator then restores at most one EXHAUSTED dead letter, confirming at the prompt
        out.getBuffer().setLength(0);
        int code = runOn(payments, "y\n", "dlq", "redrive", "--from-file", file.toString(), "--aws-queue=payments",
                "--kind", "EXHAUSTED", "--max", "1", "--audit-log", audit.toString());

        // THEN the plan named the file, and only the first EXHAUSTED dead letter arrives
        assertThat(code).isZero();
        assertThat(err.toString()).contains("Plan: move 1 of ").contains("from file:" + file.toAbsolutePath())
                .contains(" to payments").contains("filter   kind in (EXHAUSTED)");
        assertThat(byStableId(payments)).containsOnlyKeys("o-3");
        // AND the audit file holds the dry run and the confirmed run
        assertThat(Files.readAllLines(audit)).extracting(l -> new ObjectMapper().readTree(l).get("outcome").asText())
                .containsExactly("dry_run", "confirmed");
    }

    @Test
    void restore_declined_movesNothing_andIsAuditedAsDeclined() throws Exception {
        // GIVEN an export
        Path file = exportOfTheDlq();
        InMemoryDlq payments = new InMemoryDlq("payments");
        Path audit = dir.resolve("audit.jsonl");

        // WHEN the operator answers no to the plan
        int code = runOn(payments, "n\n", "dlq", "redrive", "--from-file", file.toString(), "--aws-queue=payments",
                "--audit-log", audit.toString());

        // THEN nothing arrives, the run exits "not confirmed", and the record says declined, from the file
        assertThat(code).isEqualTo(ExitCodes.ABORTED);
        assertThat(err.toString()).contains("Plan: move 4 of 4 dead letters from file:").contains("Declined; nothing was moved");
        assertThat(payments.redriven).isEmpty();
        JsonNode record = new ObjectMapper().readTree(Files.readAllLines(audit).getLast());
        assertThat(record.get("outcome").asText()).isEqualTo("declined");
        assertThat(record.get("source").asText()).isEqualTo("file:" + file.toAbsolutePath() + " sha256:" + sha256(file));
        assertThat(record.get("moved").asInt()).isZero();
    }

    @Test
    void restore_ofAFileWithAMalformedSecondLine_failsNamingTheLine_beforeAnythingMoves() throws Exception {
        // GIVEN an export whose second line was damaged
        Path file = exportOfTheDlq();
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(file));
        lines.set(1, lines.get(1).substring(0, lines.get(1).length() / 2));
        Files.write(file, lines);
        InMemoryDlq payments = new InMemoryDlq("payments");
        Path audit = dir.resolve("audit.jsonl");

        // WHEN the operator restores it with --yes
        int code = runOn(payments, "", "dlq", "redrive", "--from-file", file.toString(), "--aws-queue=payments", "--yes",
                "--audit-log", audit.toString());

        // THEN it is a usage error naming the flag and line 2, and nothing moved (not even line 1), nothing audited
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--from-file").contains("line 2: not valid JSON");
        assertThat(payments.redriven).isEmpty();
        assertThat(audit).doesNotExist();
    }

    @Test
    void restore_withNative_orAMissingFile_isAUsageError_namingTheFlags() {
        // GIVEN an export file that does not exist
        Path missing = dir.resolve("missing.jsonl");

        // WHEN --from-file is combined with --native, THEN both flags are named
        assertThat(run("", "dlq", "redrive", "--from-file", missing.toString(), QUEUE, "--native", "--yes"))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--from-file").contains("--native");

        // WHEN the file is missing, THEN --from-file is named and nothing moved
        err.getBuffer().setLength(0);
        assertThat(run("", "dlq", "redrive", "--from-file", missing.toString(), QUEUE, "--yes",
                "--audit-log", dir.resolve("a.jsonl").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--from-file").contains("missing.jsonl");
        assertThat(dlq.redriven).isEmpty();
        assertThat(dlq.visible).hasSize(3);
    }
}
