package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Consumers;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.OrderEventsFunction;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.ScriptedOrderHandler;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.pipeline.FailureKind;
import dev.sluice.core.redrive.JsonLinesAuditLog;
import dev.sluice.core.redrive.RedriveFilter;
import dev.sluice.core.redrive.RedriveListener;
import dev.sluice.core.redrive.RedriveReport;
import dev.sluice.core.redrive.RedriveRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@ExtendWith(Engines.class)
class SqsRedriveIT {
    @TempDir
    Path dir;

    private SqsClient sqs;
    private DynamoDbClient dynamo;
    private Queues.Pair queue;
    private ScriptedFailures failures;
    private ScriptedOrderHandler handler;
    private InMemoryMetrics metrics;
    private final AtomicBoolean crashAfterHandling = new AtomicBoolean();
    private RequestHandler<SQSEvent, SQSBatchResponse> function;

    /** Orders named x-* fail while the downstream is broken. */
    private static final class ScriptedFailures {
        final AtomicBoolean downstreamBroken = new AtomicBoolean(true);
    }

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
        // visibility 1 s, redrive policy after 3 receives (Sluice dead-letters after 3 attempts itself)
        queue = Queues.create(sqs, "redrive", false, 1, 3);
        String table = Tables.create(dynamo, "idempotency");
        failures = new ScriptedFailures();
        handler = new ScriptedOrderHandler(Map.of());
        metrics = new InMemoryMetrics();
        OrderEventsFunction orders = new OrderEventsFunction(Consumers.orders(queue, table, sqs, dynamo, (message, context) -> {
            if (failures.downstreamBroken.get() && message.body().orderId().startsWith("y-")) {
                throw new IllegalStateException("downstream unavailable");
            }
            handler.handle(message, context);
        }, metrics));
        // a runtime that dies after the handler succeeded: the batch is never acknowledged
        function = (event, context) -> {
            SQSBatchResponse response = orders.handleRequest(event, context);
            if (crashAfterHandling.get()) {
                throw new IllegalStateException("runtime crashed after handling");
            }
            return response;
        };
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        dynamo.close();
    }

    private LocalEventSourceMapping esm() {
        return LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url()).function(function).batchSize(10).build();
    }

    private void send(String body) {
        sqs.sendMessage(r -> r.queueUrl(queue.url()).messageBody(body));
    }

    private int dlqSize() {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(queue.dlqUrl()).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return a.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** GIVEN part shared by both modes: two exhausted dead letters, one poison, one that had succeeded. */
    private void fillDeadLetterQueue() {
        // an order handled successfully whose batch was never acknowledged: SQS's redrive policy moves it
        crashAfterHandling.set(true);
        send(Messages.order("g-1", "10"));
        try (LocalEventSourceMapping esm = esm()) {
            esm.drain(Duration.ofSeconds(30));
        }
        crashAfterHandling.set(false);
        assertThat(handler.successes("g-1")).isEqualTo(1);
        // two orders exhausting their attempts while the downstream is broken, and one that is not JSON
        send(Messages.order("y-1", "10"));
        send(Messages.order("y-2", "20"));
        send("{not json");
        try (LocalEventSourceMapping esm = esm()) {
            assertThat(esm.drain(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(dlqSize()).isEqualTo(4);
        failures.downstreamBroken.set(false);
    }

    @Test
    void selectiveRedrive_movesTheChosenDeadLettersBack_andAnAlreadySucceededOneIsSkippedAsDuplicate() throws Exception {
        // GIVEN a dead-letter queue holding 2 exhausted orders, 1 poison body and 1 order that had succeeded
        fillDeadLetterQueue();
        Path audit = dir.resolve("audit.jsonl");
        SqsRedrive redrive = SqsRedrive.builder().sqsClient(sqs).deadLetterQueueUrl(queue.dlqUrl()).targetQueueUrl(queue.url())
                .auditLog(new JsonLinesAuditLog(audit)).holdFor(Duration.ofSeconds(30)).build();

        // WHEN an operator first dry-runs, then redrives the exhausted ones, then the one without an envelope
        RedriveReport dry = redrive.redrive(RedriveRequest.builder().operator("ops@example.com").dryRun(true).build(), RedriveListener.NONE);
        RedriveReport exhausted = redrive.redrive(RedriveRequest.builder().operator("ops@example.com").confirmed(true)
                .filter(RedriveFilter.builder().kinds(Set.of(FailureKind.EXHAUSTED)).build()).build(), RedriveListener.NONE);
        List<Message> remaining = Queues.receiveAll(sqs, queue.dlqUrl());
        remaining.forEach(m -> sqs.changeMessageVisibility(r -> r.queueUrl(queue.dlqUrl()).receiptHandle(m.receiptHandle()).visibilityTimeout(0)));
        Message crashed = remaining.stream().filter(m -> !m.messageAttributes().containsKey("sluice-failure-kind")).findFirst().orElseThrow();
        RedriveReport byId = redrive.redrive(RedriveRequest.builder().operator("ops@example.com").confirmed(true)
                .filter(RedriveFilter.builder().ids(Set.of(crashed.messageId())).build()).build(), RedriveListener.NONE);
        try (LocalEventSourceMapping esm = esm()) {
            assertThat(esm.drain(Duration.ofSeconds(30))).isTrue();
        }

        // THEN the dry run moved nothing, the redrives moved 2 and 1
        assertThat(dry.matched()).isEqualTo(4);
        assertThat(dry.moved()).isZero();
        assertThat(exhausted.moved()).isEqualTo(2);
        assertThat(byId.moved()).isEqualTo(1);
        // AND the redriven orders were processed once each; the one that had succeeded was a duplicate
        assertThat(handler.successes("y-1")).isEqualTo(1);
        assertThat(handler.successes("y-2")).isEqualTo(1);
        assertThat(handler.successes("g-1")).isEqualTo(1);
        assertThat(metrics.total(SluiceMetrics.DUPLICATE)).isGreaterThanOrEqualTo(1);
        // AND only the poison message is left, and every run left an audit record
        List<Message> left = Queues.receiveAll(sqs, queue.dlqUrl());
        assertThat(left).singleElement().satisfies(m -> assertThat(m.body()).isEqualTo("{not json"));
        assertThat(Files.readAllLines(audit)).hasSize(3).allSatisfy(line -> assertThat(line).contains("ops@example.com"));
    }

    @Test
    void nativeRedrive_startsAMessageMoveTask_andTheMovedMessagesAreProcessedOrSkipped() throws Exception {
        // GIVEN the same dead-letter queue contents
        fillDeadLetterQueue();
        SqsRedrive redrive = SqsRedrive.builder().sqsClient(sqs).deadLetterQueueUrl(queue.dlqUrl()).targetQueueUrl(queue.url())
                .auditLog(new JsonLinesAuditLog(dir.resolve("audit.jsonl"))).build();

        // WHEN an operator starts a native move task back to the source queue and the consumer runs again
        SqsRedrive.NativeRedrive started = redrive.startMoveTask(RedriveRequest.builder().operator("ops@example.com").confirmed(true)
                .build(), queue.arn());
        Instant until = Instant.now().plusSeconds(20);
        while (dlqSize() > 0 && Instant.now().isBefore(until)) {
            Thread.sleep(200);
        }
        try (LocalEventSourceMapping esm = esm()) {
            esm.drain(Duration.ofSeconds(30));
        }

        // THEN the task moved everything, the list shows it, the orders ran once, the succeeded one was skipped
        assertThat(started.taskHandle()).isPresent();
        assertThat(started.approximateMessages()).isEqualTo(4);
        assertThat(redrive.listMoveTasks()).isNotEmpty().first().satisfies(task -> assertThat(task.sourceArn()).isEqualTo(queue.dlqArn()));
        assertThat(handler.successes("y-1")).isEqualTo(1);
        assertThat(handler.successes("y-2")).isEqualTo(1);
        assertThat(handler.successes("g-1")).isEqualTo(1);
        // AND the poison message went straight back to the dead-letter queue
        assertThat(Queues.receiveAll(sqs, queue.dlqUrl())).singleElement()
                .satisfies(m -> assertThat(m.messageAttributes().get("sluice-failure-kind").stringValue()).isEqualTo("POISON"));
    }

    @Test
    void aRunningNativeMoveTask_canBeCancelled_andWhatItDidNotMoveStaysInTheDeadLetterQueue() throws Exception {
        // GIVEN 20 dead letters and a native move task limited to 1 message per second
        for (int i = 0; i < 20; i++) {
            String body = Messages.order("z-" + i, "1");
            sqs.sendMessage(r -> r.queueUrl(queue.dlqUrl()).messageBody(body));
        }
        SqsRedrive redrive = SqsRedrive.builder().sqsClient(sqs).deadLetterQueueUrl(queue.dlqUrl()).targetQueueUrl(queue.url())
                .auditLog(new JsonLinesAuditLog(dir.resolve("audit.jsonl"))).build();
        SqsRedrive.NativeRedrive started = redrive.startMoveTask(RedriveRequest.builder().operator("ops@example.com").confirmed(true)
                .ratePerSecond(1).build(), queue.arn());
        // WHEN the operator cancels it while it runs
        long moved = redrive.cancelMoveTask(started.taskHandle().orElseThrow());
        // THEN it reports what it moved, no task is running any more, and the rest is still dead-lettered
        assertThat(moved).isLessThan(20);
        Instant until = Instant.now().plusSeconds(10);
        while (redrive.listMoveTasks().stream().anyMatch(MessageMoveTask::running) && Instant.now().isBefore(until)) {
            Thread.sleep(100);
        }
        assertThat(redrive.listMoveTasks()).noneMatch(MessageMoveTask::running);
        assertThat(dlqSize()).isGreaterThan(0);
    }
}
