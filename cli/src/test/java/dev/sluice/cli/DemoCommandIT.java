package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's main job: the demo on embedded ElasticMQ and moto. */
class DemoCommandIT {
    @Test
    void demo_processesEveryOrderExactlyOnce_losesNothing_andExitsZero() throws Exception {
        // GIVEN the CLI, with moto's virtual environment where the build put it (found from the jar's tree)
        StringWriter out = new StringWriter();
        CommandLine cli = SluiceCli.commandLine(options -> {
            throw new IllegalStateException("the demo opens its own queues");
        }, new BufferedReader(new StringReader("")));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));

        // WHEN the demo runs
        int code = cli.execute("demo", "--output", "json");

        // THEN its invariants hold and its summary shows what happened to each kind of message
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("violations")).isEmpty();
        assertThat(code).isEqualTo(ExitCodes.OK);
        JsonNode phase1 = json.get("phase1");
        assertThat(phase1.get("good_applied").asInt()).isEqualTo(40);
        assertThat(phase1.get("blocked_applied").asInt()).isZero();
        assertThat(phase1.get("dlq_by_kind").get("PERMANENT").asInt()).isEqualTo(4);
        assertThat(phase1.get("dlq_by_kind").get("POISON").asInt()).isEqualTo(3);
        assertThat(phase1.get("duplicates_skipped").asInt()).isGreaterThanOrEqualTo(8);
        // "failed, retried" (live counters and table alike): the 6 transient failures and the FIFO group's failed order
        assertThat(phase1.get("retried").asInt()).isEqualTo(7);
        assertThat(phase1.get("deferred").asInt()).isNotNegative();
        JsonNode phase2 = json.get("phase2");
        assertThat(phase2.get("blocked_applied").asInt()).isEqualTo(4);
        assertThat(phase2.get("dlq_by_kind").has("PERMANENT")).isFalse();
        assertThat(phase2.get("double_effects").asInt()).isZero();
        // AND the redrive's audit record survives the demo, naming its operator
        java.nio.file.Path audit = java.nio.file.Path.of(json.get("audit_record").asText());
        assertThat(audit).exists();
        assertThat(java.nio.file.Files.readString(audit)).contains("sluice-demo").contains("PERMANENT");
        java.nio.file.Files.delete(audit);
    }
}
