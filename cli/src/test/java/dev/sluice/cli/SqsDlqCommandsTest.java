package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.backend.CloudBackends;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.DeadLetterEnvelope;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code sluice dlq stats} and {@code tasks} on an embedded ElasticMQ, through the real SQS back end. */
class SqsDlqCommandsTest {
    private static LocalSqs local;
    private static URI endpoint;
    private static SqsClient sqs;

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private String queue;
    private String queueUrl;
    private String dlqUrl;

    @BeforeAll
    static void start() {
        local = LocalSqs.start();
        endpoint = local.endpoint;
        sqs = local.sqs;
    }

    @AfterAll
    static void stop() {
        local.close();
    }

    @BeforeEach
    void queues() {
        // a fresh pair per test: a consumer queue whose redrive policy names its DLQ after one receive
        queue = "orders-" + System.nanoTime();
        dlqUrl = sqs.createQueue(r -> r.queueName(queue + "-dlq")).queueUrl();
        String dlqArn = sqs.getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        queueUrl = sqs.createQueue(r -> r.queueName(queue).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"1\"}"))).queueUrl();
    }

    private int run(String... args) {
        CommandLine cli = SluiceCli.commandLine(new CloudBackends(Map.of()), new BufferedReader(new StringReader("")));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--aws-queue";
        all[args.length + 1] = queue;
        all[args.length + 2] = "--endpoint";
        all[args.length + 3] = endpoint.toString();
        return cli.execute(all);
    }

    private void sendToDlq(FailureKind kind, String id) {
        Instant now = Instant.now();
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        new DeadLetterEnvelope(kind, "com.example.Boom", "failed " + id, "fp", 3, now, now, queue, id).toAttributes()
                .forEach((k, v) -> attributes.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        sqs.sendMessage(r -> r.queueUrl(dlqUrl).messageBody("{\"id\":\"" + id + "\"}").messageAttributes(attributes));
    }

    /** Receives messages from the consumer queue and lets them go: with maxReceiveCount 1, SQS dead-letters them. */
    private void deadLetterThroughTheQueue(int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            int n = i;
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{\"n\":" + n + "}"));
        }
        for (int i = 0; i < 50 && approximate(dlqUrl) < count; i++) {
            sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).visibilityTimeout(0));
            Thread.sleep(50);
        }
    }

    private int approximate(String url) {
        return Integer.parseInt(sqs.getQueueAttributes(r -> r.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    @Test
    void stats_onSqs_showsTheOldestAgeFromSentTimestamps_andTheKinds_andLeavesTheDeadLettersVisible() throws Exception {
        // GIVEN three dead letters with Sluice envelopes, sent at least two seconds ago
        sendToDlq(FailureKind.POISON, "o-1");
        sendToDlq(FailureKind.EXHAUSTED, "o-2");
        sendToDlq(FailureKind.EXHAUSTED, "o-3");
        Thread.sleep(2_100);

        // WHEN stats run as JSON, then as text with a scan of two
        int json = run("dlq", "stats", "-o", "json");
        JsonNode stats = new ObjectMapper().readTree(out.toString());
        out.getBuffer().setLength(0);
        int text = run("dlq", "stats", "--scan", "2");

        // THEN the oldest age comes from SentTimestamp (no longer "-"), and the kinds from the scan, which it bounds
        assertThat(json).as(err.toString()).isZero();
        assertThat(stats.get("visible").asInt()).isEqualTo(3);
        assertThat(stats.get("oldest_age_seconds").asLong()).isBetween(2L, 120L);
        assertThat(stats.get("oldest_age_from").asText()).isEqualTo("scan");
        assertThat(stats.get("by_kind").get("EXHAUSTED").asInt()).isEqualTo(2);
        assertThat(stats.get("by_kind").get("POISON").asInt()).isEqualTo(1);
        assertThat(stats.get("scan").get("complete").asBoolean()).isTrue();
        assertThat(text).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("oldest     \\d+s").doesNotContain("oldest     -")
                .contains("scan       kinds and oldest age from the first 2 of 3 dead letters (--scan 2)");
        // AND the browse left every dead letter in the queue, visible at once
        assertThat(approximate(dlqUrl)).isEqualTo(3);
        assertThat(sqs.receiveMessage(r -> r.queueUrl(dlqUrl).maxNumberOfMessages(10).visibilityTimeout(0)).messages())
                .isNotEmpty();
    }

    @Test
    void tasks_onSqs_printWhatWasMoved_andUnknownWhenTheProviderDoesNotSayHowManyToMove() throws Exception {
        // GIVEN three messages SQS dead-lettered, and a native move task back to their queue
        deadLetterThroughTheQueue(3);
        assertThat(approximate(dlqUrl)).isEqualTo(3);
        assertThat(run("dlq", "redrive", "--native", "--yes", "--audit-log", dir.resolve("a.jsonl").toString()))
                .as(err.toString()).isZero();

        // WHEN the tasks are listed until the task completes
        String listed = "";
        for (int i = 0; i < 50 && !listed.contains("COMPLETED"); i++) {
            Thread.sleep(200);
            out.getBuffer().setLength(0);
            assertThat(run("dlq", "tasks")).as(err.toString()).isZero();
            listed = out.toString();
        }
        out.getBuffer().setLength(0);
        assertThat(run("dlq", "tasks", "-o", "json")).isZero();
        JsonNode tasks = new ObjectMapper().readTree(out.toString());

        // THEN the text shows the real number moved; ElasticMQ reports 0 to move once complete, shown as unknown
        assertThat(listed).contains("COMPLETED").contains("moved 3 of ").doesNotContain("of 0").doesNotContain("of -1");
        assertThat(listed).contains("moved 3 of unknown");
        JsonNode task = tasks.get(0);
        assertThat(task.get("moved").asInt()).isEqualTo(3);
        assertThat(task.has("to_move")).isTrue();
        assertThat(task.get("to_move").isNull()).isTrue();
        // AND the messages are back in their queue
        assertThat(approximate(dlqUrl)).isZero();
        assertThat(approximate(queueUrl)).isEqualTo(3);
    }

    @Test
    void nativeRedrive_declinedAtThePrompt_startsNoTask_andIsAuditedAsDeclined() throws Exception {
        // GIVEN three messages SQS dead-lettered
        deadLetterThroughTheQueue(3);
        Path audit = dir.resolve("audit.jsonl");

        // WHEN a native redrive is asked for and the operator gives no answer
        int code = run("dlq", "redrive", "--native", "--operator", "oncall-ana", "--audit-log", audit.toString());

        // THEN nothing moved, no task started, and the audit file says the operator declined
        assertThat(code).isEqualTo(ExitCodes.ABORTED);
        assertThat(err.toString()).contains("Declined; nothing was moved");
        assertThat(approximate(dlqUrl)).isEqualTo(3);
        out.getBuffer().setLength(0);
        assertThat(run("dlq", "tasks")).isZero();
        assertThat(out.toString()).contains("no recent move tasks");
        JsonNode record = new ObjectMapper().readTree(Files.readAllLines(audit).getLast());
        assertThat(record.get("outcome").asText()).isEqualTo("declined");
        assertThat(record.get("operator").asText()).isEqualTo("oncall-ana");
        assertThat(record.get("matched").asInt()).isEqualTo(3);
        assertThat(record.get("moved").asInt()).isZero();
        assertThat(record.get("filter").get("native_move_task").asBoolean()).isTrue();
    }

    @Test
    void export_isACompleteBackup_andRestoreKeepsBinaryAndNumberAttributesWithTheirTypes() throws Exception {
        // GIVEN a dead letter whose producer set a binary and a typed number attribute
        Map<String, MessageAttributeValue> attributes = new HashMap<>();
        attributes.put("sluice-original-message-id", MessageAttributeValue.builder().dataType("String").stringValue("o-9").build());
        attributes.put("sluice-failure-kind", MessageAttributeValue.builder().dataType("String").stringValue("EXHAUSTED").build());
        attributes.put("thumbprint", MessageAttributeValue.builder().dataType("Binary")
                .binaryValue(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 0xff})).build());
        attributes.put("priority", MessageAttributeValue.builder().dataType("Number.int").stringValue("7").build());
        attributes.put("tenant", MessageAttributeValue.builder().dataType("String").stringValue("acme").build());
        sqs.sendMessage(r -> r.queueUrl(dlqUrl).messageBody("{\"id\":\"o-9\"}")
                .messageAttributes(attributes));
        Path file = dir.resolve("backup.jsonl");

        // WHEN exported, then restored from the file into the queue
        int exported = run("dlq", "export", "--out", file.toString());
        int restored = run("dlq", "redrive", "--from-file", file.toString(), "--yes",
                "--audit-log", dir.resolve("audit.jsonl").toString());

        // THEN the file holds every attribute with its type (binary as base64), and the restored copy has them all again
        assertThat(exported).as(err.toString()).isZero();
        JsonNode line = new ObjectMapper().readTree(Files.readAllLines(file).getFirst());
        assertThat(line.at("/typed_attributes/thumbprint/data_type").asText()).isEqualTo("Binary");
        assertThat(line.at("/typed_attributes/thumbprint/binary_base64").asText()).isEqualTo("AAH/");
        assertThat(line.at("/typed_attributes/priority/data_type").asText()).isEqualTo("Number.int");
        assertThat(line.at("/system_properties/SentTimestamp").asText()).isNotBlank();
        assertThat(restored).as(err.toString()).isZero();
        List<software.amazon.awssdk.services.sqs.model.Message> copies = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                .maxNumberOfMessages(10).messageAttributeNames("All")).messages();
        assertThat(copies).hasSize(1);
        Map<String, MessageAttributeValue> copy = copies.getFirst().messageAttributes();
        assertThat(copy.get("thumbprint").binaryValue().asByteArray()).containsExactly(0, 1, 0xff);
        assertThat(copy.get("priority").dataType()).isEqualTo("Number.int");
        assertThat(copy.get("tenant").stringValue()).isEqualTo("acme");
        assertThat(copy.get("sluice-original-message-id").stringValue()).isEqualTo("o-9");
        assertThat(copies.getFirst().body()).isEqualTo("{\"id\":\"o-9\"}");
    }
}
