package dev.sluice.tests.azure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.azure.CosmosIdempotencyStore;
import dev.sluice.azure.OutgoingMessage;
import dev.sluice.azure.QueueReader;
import dev.sluice.azure.ServiceBusDeadLetterQueue;
import dev.sluice.azure.ServiceBusRedrive;
import dev.sluice.azure.ServiceBusBatchConsumer;
import dev.sluice.azure.testing.FunctionsHostSimulator;
import dev.sluice.azure.testing.InMemoryServiceBus;
import dev.sluice.azure.testing.LocalCosmosExtension;
import dev.sluice.azure.testing.ManualClock;
import dev.sluice.azure.testing.Order;
import dev.sluice.cli.SluiceCli;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.pipeline.RetryPolicy;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.SluiceAttributes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The operator's round trip on Azure: an outage parks orders and sends others to Service Bus's own
 * {@code $DeadLetterQueue}; after the outage {@code sluice dlq stats / inspect / export / redrive} (the real
 * command line over a {@link ServiceBusDeadLetterQueue} on the broker model) moves them back, the consumer
 * processes the ones that never succeeded, and skips as duplicates the ones that had.
 */
class AzureRedriveCliIT {
    @RegisterExtension
    static final LocalCosmosExtension COSMOS = new LocalCosmosExtension();

    static final String QUEUE = "orders";
    static final String PARKING = "orders-parking";

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    final InMemoryServiceBus broker = new InMemoryServiceBus(clock);
    final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    final List<MessageOutcome> outcomes = Collections.synchronizedList(new ArrayList<>());
    volatile boolean outage;
    volatile boolean parkingDown;
    final Set<String> transientInOutage = Set.of("o-3", "o-4");
    final Set<String> permanentInOutage = Set.of("o-6");
    FunctionsHostSimulator host;

    private void startConsumer() {
        broker.createQueue(QUEUE, new InMemoryServiceBus.QueueSettings(3, Duration.ofSeconds(30), false));
        broker.createQueue(PARKING, InMemoryServiceBus.QueueSettings.defaults());
        broker.failSendsWhen((queue, messages) -> parkingDown && queue.equals(PARKING));
        BatchProcessor<Order> processor = BatchProcessor.<Order>builder()
                .queueName(QUEUE)
                .handler((message, context) -> {
                    String id = message.body().orderId();
                    if (outage && transientInOutage.contains(id)) {
                        throw new IllegalStateException("payment service unavailable");
                    }
                    if (outage && permanentInOutage.contains(id)) {
                        throw new PermanentFailureException("account frozen during the outage");
                    }
                    effects.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                })
                .codec(JsonCodec.of(Order.class))
                .retryPolicy(RetryPolicy.exponential(3, Duration.ofSeconds(1), Duration.ofSeconds(10)))
                // the outage's failures would open the warm-instance breaker, whose single half-open probe then
                // splits o-5 and o-6 into different batches depending on thread timing: this scenario is about redrive
                .circuitBreaker(0, Duration.ofSeconds(30))
                .idempotency(IdempotencyOptions.builder()
                        .store(CosmosIdempotencyStore.builder().container(COSMOS.get().newContainer("sluice-redrive")).build())
                        .keyPointer("/orderId")
                        .build())
                .clock(clock)
                .logSink(event -> { })
                .build();
        ServiceBusBatchConsumer<Order> consumer = ServiceBusBatchConsumer.<Order>builder()
                .processor(processor).publisher(broker).parkingQueue(PARKING).clock(clock).logSink(event -> { }).build();
        host = new FunctionsHostSimulator(broker, clock, QUEUE, false, 32, batch -> outcomes.addAll(consumer.process(batch).outcomes()));
    }

    private void send(String orderId) {
        String body = "{\"orderId\":\"" + orderId + "\",\"customerId\":\"c-1\",\"amountCents\":990,\"currency\":\"EUR\"}";
        broker.send(QUEUE, new OutgoingMessage("msg-" + orderId, body.getBytes(StandardCharsets.UTF_8), Map.of(), null, null,
                "application/json", null));
    }

    /** Counts and peeks straight from the broker model, as the SDK's administration client and peek do. */

    /** Runs {@code sluice <args>} with the backend the options ask for; returns exit code and output. */
    private record Run(int exitCode, String out, String err) {}

    private Run sluice(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SluiceCli.commandLine(options -> ServiceBusDeadLetterQueue.of(options.serviceBus.queue,
                options.serviceBus.parking, ServiceBusRedrive.of(broker, broker), broker, () -> { }), new BufferedReader(new StringReader("")));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private int effectsOf(String orderId) {
        AtomicInteger n = effects.get(orderId);
        return n == null ? 0 : n.get();
    }

    @Test
    void parkedAndDeadLetteredOrders_areInspectedExportedAndRedriven_thenProcessedOnce() throws IOException {
        // GIVEN an outage: o-3 and o-4 fail until their attempts are used up and are parked
        startConsumer();
        outage = true;
        List.of("o-1", "o-2", "o-3", "o-4").forEach(this::send);
        host.runUntilIdle(50);
        // AND while the parking queue is unavailable, o-6 fails permanently: its batch (with o-5, which
        // succeeded) is abandoned until Service Bus dead-letters both after maxDeliveryCount
        parkingDown = true;
        List.of("o-5", "o-6").forEach(this::send);
        host.runUntilIdle(50);
        assertThat(broker.messages(PARKING)).extracting(s -> s.properties().get(SluiceAttributes.FAILURE_KIND))
                .containsExactly("EXHAUSTED", "EXHAUSTED");
        assertThat(broker.deadLetters(QUEUE)).extracting(s -> s.properties().get("DeadLetterReason"))
                .containsExactly("MaxDeliveryCountExceeded", "MaxDeliveryCountExceeded");
        assertThat(effectsOf("o-5")).isEqualTo(1);
        Path audit = dir.resolve("audit.jsonl");
        Path export = dir.resolve("parked.jsonl");

        // WHEN the outage is over and the operator looks at both queues
        outage = false;
        parkingDown = false;
        Run dlqStats = sluice("dlq", "stats", "--servicebus", "local", "--queue", QUEUE);
        Run parkedStats = sluice("dlq", "stats", "--servicebus", "local", "--queue", QUEUE, "--parking");
        Run inspect = sluice("dlq", "inspect", "--servicebus", "local", "--queue", QUEUE, "--parking", "--messages");
        Run exported = sluice("dlq", "export", "--servicebus", "local", "--queue", QUEUE, "--parking", "--out", export.toString());

        // THEN stats count them, inspect groups the parked ones by kind, and export writes them without removing them
        assertThat(dlqStats.exitCode()).as(dlqStats.err()).isZero();
        assertThat(dlqStats.out()).contains(QueueReader.deadLetterQueueOf(QUEUE)).contains("2");
        assertThat(parkedStats.out()).contains(PARKING).contains("2");
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("EXHAUSTED").contains("java.lang.IllegalStateException");
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        assertThat(Files.readAllLines(export)).hasSize(2).allSatisfy(line -> assertThat(line).contains("EXHAUSTED"));
        assertThat(broker.messages(PARKING)).hasSize(2);

        // WHEN the operator redrives the $DeadLetterQueue and the parking queue, and the host runs
        Run redriveDlq = sluice("dlq", "redrive", "--servicebus", "local", "--queue", QUEUE, "--yes",
                "--operator", "ops-oncall", "--audit-log", audit.toString());
        Run redriveParked = sluice("dlq", "redrive", "--servicebus", "local", "--queue", QUEUE, "--parking", "--yes",
                "--operator", "ops-oncall", "--audit-log", audit.toString());
        outcomes.clear();
        host.runUntilIdle(50);

        // THEN both queues are empty, the orders that never succeeded took effect once, and o-5 was a duplicate
        assertThat(redriveDlq.exitCode()).as(redriveDlq.err()).isZero();
        assertThat(redriveDlq.out()).contains("moved 2");
        assertThat(redriveParked.exitCode()).as(redriveParked.err()).isZero();
        assertThat(redriveParked.out()).contains("moved 2");
        assertThat(broker.deadLetters(QUEUE)).isEmpty();
        assertThat(broker.messages(PARKING)).isEmpty();
        assertThat(broker.messages(QUEUE)).isEmpty();
        assertThat(List.of("o-1", "o-2", "o-3", "o-4", "o-5", "o-6"))
                .allSatisfy(id -> assertThat(effectsOf(id)).as(id).isEqualTo(1));
        assertThat(outcomes).filteredOn(MessageOutcome.Duplicate.class::isInstance)
                .extracting(o -> o.message().id()).containsExactly("msg-o-5");
        assertThat(outcomes).filteredOn(MessageOutcome.Processed.class::isInstance)
                .extracting(o -> o.message().id()).containsExactlyInAnyOrder("msg-o-3", "msg-o-4", "msg-o-6");
        // AND the audit log records, for each queue, the confirmed move (one record per run), naming the operator
        assertThat(Files.readAllLines(audit)).allSatisfy(line -> assertThat(line).contains("\"operator\":\"ops-oncall\""))
                .filteredOn(line -> line.contains("\"dry_run\":false"))
                .hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("\"moved\":2"))
                .anySatisfy(line -> assertThat(line).contains(PARKING))
                .anySatisfy(line -> assertThat(line).contains("$DeadLetterQueue"));
    }
}
