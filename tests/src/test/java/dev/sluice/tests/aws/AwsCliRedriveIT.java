package dev.sluice.tests.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.Tables;
import dev.sluice.cli.ExitCodes;
import dev.sluice.cli.SluiceCli;
import dev.sluice.cli.backend.CloudBackends;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The redrive round trip on the AWS path, driven through the {@code sluice} command line as an operator would:
 * failures land in the DLQ (with an envelope, or moved by the queue's redrive policy after crashes),
 * {@code dlq stats / inspect / export} show them without moving them, {@code dlq redrive} moves them back,
 * and the consumer then processes the ones that had failed and skips the one that had already succeeded.
 */
@ExtendWith(Engines.class)
class AwsCliRedriveIT {
    @TempDir Path dir;
    private SqsClient sqs;
    private DynamoDbClient dynamo;
    private final Map<String, Integer> successes = new ConcurrentHashMap<>();
    private final AtomicBoolean downstreamBroken = new AtomicBoolean(true);
    private final AtomicBoolean crashAfterPipeline = new AtomicBoolean(true);

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        dynamo.close();
    }

    /** The result of one command. */
    private record Run(int exitCode, String out, String err) {}

    private Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = SluiceCli.commandLine(new CloudBackends(), new BufferedReader(new StringReader("")));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private String[] dlq(String command, Queues.Pair queue, String... more) {
        List<String> args = new ArrayList<>(List.of("dlq", command, "--aws-queue", queue.name(), "--endpoint", Engines.sqs().toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void redriveThroughTheCli_processesWhatFailed_andSkipsWhatHadAlreadySucceeded() throws Exception {
        // GIVEN a queue (redrive policy: 3 receives) and a consumer whose downstream rejects p-* orders for now,
        // inside a function that crashes after the pipeline whenever its batch holds done-1
        Queues.Pair queue = Queues.create(sqs, "cli-redrive", false, 1, 3);
        InMemoryMetrics metrics = new InMemoryMetrics();
        SqsBatchConsumer<Order> consumer = SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName(queue.name()).maxAttempts(3).retryBackoff(Duration.ofMillis(100))
                        .retryBackoffMax(Duration.ofMillis(200)).idempotencyTable(Tables.create(dynamo, "cli-redrive"))
                        .idempotencyKeyPointer("/orderId").idempotencyLease(Duration.ofSeconds(2)).build())
                .sqsClient(sqs).dynamoDbClient(dynamo).queueUrl(queue.url()).deadLetterQueueUrl(queue.dlqUrl())
                .handler((message, context) -> {
                    String id = message.body().orderId();
                    if (id.startsWith("p-") && downstreamBroken.get()) {
                        throw new PermanentFailureException("downstream rejects " + id);
                    }
                    successes.merge(id, 1, Integer::sum);
                })
                .metrics(metrics).logSink(event -> { }).snapStartPriming(false).build();
        for (String id : List.of("ok-1", "p-1", "p-2", "done-1")) {
            sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody("{\"orderId\":\"" + id + "\",\"customerId\":\"c\",\"amount\":5}"));
        }
        // WHEN the event source mapping runs until the queue is empty
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url()).batchSize(1)
                .function((event, context) -> {
                    var response = consumer.handle(event, context);
                    if (crashAfterPipeline.get() && event.getRecords().getFirst().getBody().contains("done-1")) {
                        throw new IllegalStateException("crash before the acknowledgement");
                    }
                    return response;
                }).build()) {
            assertThat(esm.drain(Duration.ofSeconds(60))).as("queue drained").isTrue();
        }
        // THEN done-1 succeeded once, and the DLQ holds p-1 and p-2 (PERMANENT) and done-1 (moved by SQS, no envelope)
        assertThat(successes).containsOnlyKeys("ok-1", "done-1");

        // WHEN the operator looks at the DLQ
        Run stats = cli(dlq("stats", queue, "-o", "json"));
        Run inspect = cli(dlq("inspect", queue, "--messages"));
        Path export = dir.resolve("dead-letters.jsonl");
        Run exported = cli(dlq("export", queue, "--out", export.toString()));
        // THEN stats count three, inspect groups them by kind, export writes three lines, and nothing moved
        assertThat(stats.exitCode()).as(stats.err()).isEqualTo(ExitCodes.OK);
        assertThat(stats.out()).containsPattern("\"visible\"\\s*:\\s*3");
        assertThat(inspect.exitCode()).as(inspect.err()).isEqualTo(ExitCodes.OK);
        assertThat(inspect.out()).contains("3 dead letters read, 2 groups")
                .containsPattern("PERMANENT\\s+2\\s").containsPattern("UNKNOWN\\s+1\\s").contains("downstream rejects p-1");
        assertThat(exported.exitCode()).as(exported.err()).isEqualTo(ExitCodes.OK);
        assertThat(Files.readAllLines(export)).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("{"));
        Run dryRun = cli(dlq("redrive", queue, "--dry-run", "--audit-log", dir.resolve("audit.jsonl").toString()));
        assertThat(dryRun.out()).contains("matched 3").contains("moved 0");
        assertThat(Queues.receiveAll(sqs, queue.url())).isEmpty();

        // WHEN the downstream is fixed and the operator redrives everything with confirmation given
        downstreamBroken.set(false);
        crashAfterPipeline.set(false);
        Path audit = dir.resolve("audit.jsonl");
        Run redrive = cli(dlq("redrive", queue, "--yes", "--operator", "oncall", "--audit-log", audit.toString()));
        // THEN three moved, an audit record names the operator, and the DLQ is empty
        assertThat(redrive.exitCode()).as(redrive.err()).isEqualTo(ExitCodes.OK);
        assertThat(redrive.out()).contains("moved 3").contains("failed 0");
        assertThat(Files.readString(audit)).contains("oncall");
        assertThat(cli(dlq("stats", queue, "-o", "json")).out()).containsPattern("\"visible\"\\s*:\\s*0");

        // WHEN the consumer runs again
        long duplicatesBefore = metrics.total(SluiceMetrics.DUPLICATE);
        try (LocalEventSourceMapping esm = LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url()).batchSize(10)
                .function((event, context) -> consumer.handle(event, context)).build()) {
            assertThat(esm.drain(Duration.ofSeconds(30))).as("queue drained").isTrue();
        }
        // THEN the failed orders are processed once, done-1 is skipped as a duplicate, and nothing is dead again
        assertThat(successes).containsExactlyInAnyOrderEntriesOf(Map.of("ok-1", 1, "done-1", 1, "p-1", 1, "p-2", 1));
        assertThat(metrics.total(SluiceMetrics.DUPLICATE) - duplicatesBefore).isEqualTo(1);
        assertThat(Queues.receiveAll(sqs, queue.dlqUrl())).isEmpty();
    }
}
