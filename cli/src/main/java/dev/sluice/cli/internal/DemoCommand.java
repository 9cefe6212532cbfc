package dev.sluice.cli.internal;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.SqsDeadLetterQueue;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.local.MotoServer;
import dev.sluice.cli.ExitCodes;
import dev.sluice.cli.internal.demo.Order;
import dev.sluice.cli.internal.demo.OrderHandler;
import dev.sluice.core.HandlerContext;
import dev.sluice.core.Message;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.PermanentFailureException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.redrive.DeadLetter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code sluice demo}: the example order handler on embedded ElasticMQ and moto (DynamoDB), through the local
 * event source mapping. Sends good orders, producer duplicates, transient failures, orders of a blocked
 * customer (permanent failures), undecodable bodies and a FIFO group; shows progress and a summary; then
 * "fixes" the handler (unblocks the customer), redrives the DLQ's PERMANENT dead letters with
 * {@code sluice dlq redrive}, and checks from a ledger kept outside the system that every order was applied
 * exactly once and nothing was lost. Exits 0 only when those invariants hold.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the example consumer on embedded ElasticMQ and moto (DynamoDB), break it, fix it, redrive, "
                + "and prove every message was processed exactly once and none was lost.")
public final class DemoCommand implements Callable<Integer> {
    private static final String QUEUE = "orders";
    private static final String FIFO_QUEUE = "orders.fifo";
    private static final String FIFO_GROUP = "customer-7";
    private static final int GOOD = 40;
    private static final int DUPLICATES = 8;
    private static final int FLAKY = 6;
    private static final int BLOCKED = 4;
    private static final int FIFO = 6;
    private static final List<String> UNDECODABLE = List.of(
            "{\"orderId\": \"u-1\", \"customerId\": ",                         // cut off
            "{\"orderId\":\"u-2\",\"customerId\":\"c-9\",\"amount\":\"lots\"}",   // wrong type
            "{\"orderId\":\"u-3\"}");                                          // required fields missing

    @Spec CommandSpec spec;

    @Option(names = "--moto-server", description = "The sluice-moto-server executable (default: $SLUICE_MOTO_SERVER, "
            + "else target/moto/bin/sluice-moto-server in the build tree that holds sluice.jar).")
    @Nullable Path motoServer;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    OutputFormat output = OutputFormat.text;

    private @Nullable Path auditRecord;
    private final Supplier<CommandLine> operatorCli;

    /**
     * @param operatorCli makes the {@code sluice} command line the demo's redrive runs through, as an operator would,
     *     on local engines (no environment, no input)
     */
    public DemoCommand(Supplier<CommandLine> operatorCli) {
        this.operatorCli = operatorCli;
    }

    @Option(names = "--timeout", converter = Durations.class, defaultValue = "45s",
            description = "Longest wait for each phase to settle (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofSeconds(45);

    /** What the test keeps outside the system: what was sent and what the handler applied. */
    private static final class Ledger {
        final Map<String, String> categoryByOrder = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
        final List<String> fifoSent = new CopyOnWriteArrayList<>();
        final List<String> fifoApplied = new CopyOnWriteArrayList<>();
        final List<String> undecodableMessageIds = new CopyOnWriteArrayList<>();
        final AtomicBoolean fixed = new AtomicBoolean();

        int applied(String category) {
            return (int) categoryByOrder.entrySet().stream()
                    .filter(e -> e.getValue().equals(category) && effects.containsKey(e.getKey())).count();
        }

        long doubleEffects() {
            return effects.values().stream().filter(c -> c.get() > 1).count();
        }
    }

    /** The example handler, wrapped: blocked customers fail until the fix, flaky orders fail on their first try. */
    private record DemoHandler(Ledger ledger, MessageHandler<Order> example) implements MessageHandler<Order> {
        @Override
        public void handle(Message<Order> message, HandlerContext context) throws Exception {
            Order order = message.body();
            if (order.customerId().startsWith("blocked-") && !ledger.fixed.get()) {
                throw new PermanentFailureException("customer " + order.customerId() + " is blocked");
            }
            if (order.customerId().startsWith("flaky-") && context.attempt() == 1) {
                throw new IllegalStateException("payment gateway timed out");
            }
            example.handle(message, context);
            ledger.effects.computeIfAbsent(order.orderId(), id -> new AtomicInteger()).incrementAndGet();
            if (message.groupKey().isPresent()) {
                ledger.fifoApplied.add(order.orderId());
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Instant started = Instant.now();
        Path moto = motoServer != null ? motoServer : defaultMotoServer();
        text(err, "Starting ElasticMQ and moto (DynamoDB) on loopback ...");
        try (DemoEngines engines = DemoEngines.start(moto); SqsClient sqs = engines.sqs(); DynamoDbClient dynamo = engines.dynamoDb()) {
            Ledger ledger = new Ledger();
            InMemoryMetrics metrics = new InMemoryMetrics();
            Queues queues = Queues.create(sqs);
            String table = createTable(dynamo);
            MessageHandler<Order> handler = new DemoHandler(ledger, new OrderHandler());
            List<LocalEventSourceMapping> mappings = List.of(
                    mapping(sqs, queues.queueUrl, consumer(QUEUE, queues.queueUrl, queues.dlqUrl, table, sqs, dynamo, handler, metrics)),
                    mapping(sqs, queues.fifoUrl, consumer(FIFO_QUEUE, queues.fifoUrl, queues.fifoDlqUrl, table, sqs, dynamo, handler, metrics)));
            try {
                mappings.forEach(LocalEventSourceMapping::start);
                send(sqs, queues, ledger);
                text(err, "Sent " + (GOOD + DUPLICATES + FLAKY + BLOCKED + UNDECODABLE.size()) + " messages to " + QUEUE
                        + " and " + FIFO + " to " + FIFO_QUEUE + ". Processing:");

                boolean settled = await(err, metrics, () -> ledger.applied("good") == GOOD && ledger.applied("flaky") == FLAKY
                        && ledger.applied("fifo") == FIFO && depth(sqs, queues.dlqUrl) == BLOCKED + UNDECODABLE.size()
                        && depth(sqs, queues.queueUrl) == 0 && depth(sqs, queues.fifoUrl) == 0);
                List<DeadLetter> dead = browse(sqs, queues.queueUrl);
                Map<String, Object> phase1 = summary(ledger, metrics, dead);
                table(out, "Phase 1: the handler as deployed" + (settled ? "" : " (did NOT settle in time)"), ledger, dead, metrics);

                ledger.fixed.set(true);
                text(out, "\nFixing the handler (customer unblocked) and redriving the PERMANENT dead letters:\n  "
                        + "sluice dlq redrive --aws-queue " + QUEUE + " --endpoint " + engines.sqsEndpoint() + " --kind PERMANENT --yes");
                int redrive = redrive(engines, out);
                boolean settled2 = await(err, metrics, () -> ledger.applied("blocked") == BLOCKED
                        && depth(sqs, queues.dlqUrl) == UNDECODABLE.size() && depth(sqs, queues.queueUrl) == 0);
                dead = browse(sqs, queues.queueUrl);
                table(out, "Phase 2: after the fix and the redrive" + (settled2 ? "" : " (did NOT settle in time)"), ledger, dead, metrics);

                List<String> violations = invariants(ledger, dead, redrive, settled && settled2);
                Duration took = Duration.between(started, Instant.now());
                if (output == OutputFormat.json) {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("phase1", phase1);
                    json.put("phase2", summary(ledger, metrics, dead));
                    json.put("audit_record", String.valueOf(auditRecord));
                    json.put("violations", violations);
                    json.put("seconds", took.toMillis() / 1000.0);
                    out.println(Json.write(json));
                } else if (violations.isEmpty()) {
                    out.printf("%nAll invariants hold: every decodable order applied exactly once, duplicates skipped, "
                            + "FIFO order kept, nothing lost (the %d undecodable bodies stay quarantined as POISON). %.1f s%n",
                            UNDECODABLE.size(), took.toMillis() / 1000.0);
                } else {
                    out.println("\nINVARIANTS VIOLATED:");
                    violations.forEach(v -> out.println("  - " + v));
                }
                return violations.isEmpty() ? ExitCodes.OK : ExitCodes.INVARIANT_VIOLATED;
            } finally {
                mappings.forEach(LocalEventSourceMapping::close);
            }
        }
    }

    private record Queues(String queueUrl, String dlqUrl, String fifoUrl, String fifoDlqUrl) {
        static Queues create(SqsClient sqs) {
            String dlq = sqs.createQueue(r -> r.queueName(QUEUE + "-dlq")
                    .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, "1209600"))).queueUrl();
            String fifoDlq = sqs.createQueue(r -> r.queueName("orders-dlq.fifo").attributes(Map.of(
                    QueueAttributeName.FIFO_QUEUE, "true", QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false"))).queueUrl();
            String queue = sqs.createQueue(r -> r.queueName(QUEUE).attributes(Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, "10",
                    QueueAttributeName.REDRIVE_POLICY, redrivePolicy(sqs, dlq)))).queueUrl();
            String fifo = sqs.createQueue(r -> r.queueName(FIFO_QUEUE).attributes(Map.of(
                    QueueAttributeName.FIFO_QUEUE, "true", QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "false",
                    QueueAttributeName.VISIBILITY_TIMEOUT, "10",
                    QueueAttributeName.REDRIVE_POLICY, redrivePolicy(sqs, fifoDlq)))).queueUrl();
            return new Queues(queue, dlq, fifo, fifoDlq);
        }

        private static String redrivePolicy(SqsClient sqs, String dlqUrl) {
            String arn = sqs.getQueueAttributes(r -> r.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            return "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"6\"}";
        }
    }

    private static String createTable(DynamoDbClient dynamo) {
        String name = "sluice-idempotency";
        dynamo.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()));
        dynamo.waiter().waitUntilTableExists(r -> r.tableName(name));
        return name;
    }

    private static RequestHandler<SQSEvent, SQSBatchResponse> consumer(String queue, String queueUrl, String dlqUrl, String table, SqsClient sqs,
                                                DynamoDbClient dynamo, MessageHandler<Order> handler, InMemoryMetrics metrics) {
        SqsBatchConsumer<Order> consumer = SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName(queue).maxAttempts(3)
                        .retryBackoff(Duration.ofSeconds(1)).retryBackoffMax(Duration.ofSeconds(2))
                        .visibilityTimeout(Duration.ofSeconds(10))
                        .idempotencyTable(table).idempotencyKeyPointer("/orderId")
                        .idempotencyLease(Duration.ofSeconds(5))
                        // the breaker spans invocations; at the demo's compressed time scale it stays open 2 s, not 30
                        .circuitOpenDelay(Duration.ofSeconds(2)).build())
                .sqsClient(sqs).dynamoDbClient(dynamo).queueUrl(queueUrl).deadLetterQueueUrl(dlqUrl)
                .handler(handler).metrics(metrics).logSink(event -> { }).snapStartPriming(false)
                .build();
        // what a Lambda function does (examples/aws-order-events), with the consumer wired to the local engines instead of the environment
        return consumer::handle;
    }

    private static LocalEventSourceMapping mapping(SqsClient sqs, String queueUrl, RequestHandler<SQSEvent, SQSBatchResponse> function) {
        return LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queueUrl).function(function).batchSize(10)
                .maximumBatchingWindow(Duration.ZERO).functionTimeout(Duration.ofSeconds(10)).pollWait(Duration.ofSeconds(1))
                .functionName("sluice-demo").build();
    }

    private static void send(SqsClient sqs, Queues queues, Ledger ledger) {
        List<String> goodBodies = new ArrayList<>();
        for (int i = 1; i <= GOOD; i++) {
            goodBodies.add(order(ledger, "good", "o-" + i, "c-" + (i % 7), 10 + i));
        }
        for (int i = 1; i <= FLAKY; i++) {
            sendTo(sqs, queues.queueUrl, order(ledger, "flaky", "t-" + i, "flaky-" + i, 99));
        }
        for (int i = 1; i <= BLOCKED; i++) {
            sendTo(sqs, queues.queueUrl, order(ledger, "blocked", "b-" + i, "blocked-" + i, 250));
        }
        goodBodies.forEach(body -> sendTo(sqs, queues.queueUrl, body));
        for (int i = 0; i < DUPLICATES; i++) {
            sendTo(sqs, queues.queueUrl, goodBodies.get(i * 3));   // the producer retried: same order, new message
        }
        for (String body : UNDECODABLE) {
            ledger.undecodableMessageIds.add(sendTo(sqs, queues.queueUrl, body));
        }
        for (int i = 1; i <= FIFO; i++) {
            String id = "f-" + i;
            ledger.fifoSent.add(id);
            // the second order of the group fails once: the rest of the group must wait for it
            String body = order(ledger, "fifo", id, i == 2 ? "flaky-fifo" : FIFO_GROUP, i);
            sqs.sendMessage(r -> r.queueUrl(queues.fifoUrl).messageBody(body).messageGroupId(FIFO_GROUP)
                    .messageDeduplicationId(UUID.randomUUID().toString()));
        }
    }

    private static String order(Ledger ledger, String category, String id, String customer, int amount) {
        ledger.categoryByOrder.put(id, category);
        return "{\"orderId\":\"" + id + "\",\"customerId\":\"" + customer + "\",\"amount\":" + amount + ".50}";
    }

    private static String sendTo(SqsClient sqs, String url, String body) {
        return sqs.sendMessage(r -> r.queueUrl(url).messageBody(body)).messageId();
    }

    private boolean await(PrintWriter err, InMemoryMetrics metrics, BooleanSupplier done) {
        Instant until = Instant.now().plus(timeout);
        boolean live = output == OutputFormat.text && Terminal.interactive();
        int columns = Terminal.columns();
        try {
            while (Instant.now().isBefore(until)) {
                if (live) {
                    err.print("\r" + Terminal.fit(counters(metrics), columns));
                    err.flush();
                }
                if (done.getAsBoolean()) {
                    return true;
                }
                DemoEngines.sleep(Duration.ofMillis(250));
            }
            return false;
        } finally {
            if (output == OutputFormat.text) {
                // the last counts, on their own line, on a terminal or not: the numbers the table below accounts for
                err.println((live ? "\r" : "") + Terminal.fit(counters(metrics), columns));
                err.flush();
            }
        }
    }

    /** The live counters, named as the summary table names them (the counts are the whole run's so far). */
    private static String counters(InMemoryMetrics metrics) {
        long retried = metrics.total(SluiceMetrics.RETRY_ATTEMPTS);
        return String.format("  received %d  applied %d  duplicates %d  failed, retried %d  deferred %d  dead-lettered %d",
                metrics.total(SluiceMetrics.RECEIVED), metrics.total(SluiceMetrics.COMPLETED),
                metrics.total(SluiceMetrics.DUPLICATE), retried, metrics.total(SluiceMetrics.ABANDONED) - retried,
                metrics.total(SluiceMetrics.DEAD_LETTERED));
    }

    private static long depth(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED))
                .attributes().values().stream().mapToLong(Long::parseLong).sum();
    }

    private static List<DeadLetter> browse(SqsClient sqs, String queueUrl) {
        // the queue's redrive policy names its DLQ; the client stays open for the demo
        return SqsDeadLetterQueue.open(sqs, queueUrl).browse(1000);
    }

    private int redrive(DemoEngines engines, PrintWriter out) throws Exception {
        // kept after the demo, like any redrive's audit record; its path is printed with the redrive's report
        Path audit = Files.createTempFile("sluice-demo-audit", ".jsonl");
        auditRecord = audit;
        StringWriter captured = new StringWriter();
        CommandLine cli = operatorCli.get();
        cli.setOut(new PrintWriter(captured, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        int code = cli.execute("dlq", "redrive", "--aws-queue", QUEUE, "--endpoint", engines.sqsEndpoint().toString(),
                "--kind", "PERMANENT", "--yes", "--operator", "sluice-demo", "--audit-log", audit.toString());
        captured.toString().lines().forEach(line -> text(out, "  " + line));
        return code;
    }

    private static Map<String, Object> summary(Ledger ledger, InMemoryMetrics metrics, List<DeadLetter> dead) {
        Map<String, Object> s = new LinkedHashMap<>();
        for (String category : List.of("good", "flaky", "blocked", "fifo")) {
            s.put(category + "_applied", ledger.applied(category));
        }
        s.put("received", metrics.total(SluiceMetrics.RECEIVED));
        s.put("processed", metrics.total(SluiceMetrics.COMPLETED));
        s.put("duplicates_skipped", metrics.total(SluiceMetrics.DUPLICATE));
        s.put("retried", metrics.total(SluiceMetrics.RETRY_ATTEMPTS));
        s.put("deferred", metrics.total(SluiceMetrics.ABANDONED) - metrics.total(SluiceMetrics.RETRY_ATTEMPTS));
        s.put("dead_lettered", metrics.total(SluiceMetrics.DEAD_LETTERED));
        s.put("dlq_by_kind", kinds(dead));
        s.put("double_effects", ledger.doubleEffects());
        return s;
    }

    private static Map<String, Integer> kinds(List<DeadLetter> dead) {
        Map<String, Integer> kinds = new TreeMap<>();
        dead.forEach(d -> kinds.merge(d.envelope().map(e -> e.failureKind().name()).orElse("UNKNOWN"), 1, Integer::sum));
        return kinds;
    }

    private void table(PrintWriter out, String title, Ledger ledger, List<DeadLetter> dead, InMemoryMetrics metrics) {
        if (output != OutputFormat.text) {
            return;
        }
        Map<String, Integer> inDlq = kinds(dead);
        out.printf("%n%s%n", title);
        out.printf("  %-28s %5s %9s  %s%n", "messages", "sent", "applied", "where the rest are");
        out.printf("  %-28s %5d %9d%n", "good orders", GOOD, ledger.applied("good"));
        out.printf("  %-28s %5d %9s  skipped as duplicates%n", "producer duplicates", DUPLICATES, "-");
        out.printf("  %-28s %5d %9d  (each failed once, retried with backoff)%n", "transient failures", FLAKY, ledger.applied("flaky"));
        out.printf("  %-28s %5d %9d  DLQ PERMANENT: %d%n", "orders of a blocked customer", BLOCKED, ledger.applied("blocked"),
                inDlq.getOrDefault("PERMANENT", 0));
        out.printf("  %-28s %5d %9s  DLQ POISON: %d%n", "undecodable bodies", UNDECODABLE.size(), "-", inDlq.getOrDefault("POISON", 0));
        out.printf("  %-28s %5d %9d  order kept: %s (its 2nd order failed once; the rest waited)%n", "FIFO group " + FIFO_GROUP,
                FIFO, ledger.applied("fifo"), ledger.fifoApplied.equals(ledger.fifoSent) ? "yes" : "NO " + ledger.fifoApplied);
        out.printf("  orders applied more than once: %d%n", ledger.doubleEffects());
        long retried = metrics.total(SluiceMetrics.RETRY_ATTEMPTS);
        out.printf("  so far: failed and retried %d (the %d transient failures and the FIFO group's failed order); deferred %d,%n"
                + "  returned without running the handler while the circuit breaker was open or behind a failed message%n"
                + "  of their FIFO group%n", retried, FLAKY, metrics.total(SluiceMetrics.ABANDONED) - retried);
        out.flush();
    }

    private static List<String> invariants(Ledger ledger, List<DeadLetter> dead, int redriveExit, boolean settled) {
        List<String> violations = new ArrayList<>();
        if (!settled) {
            violations.add("the queues did not settle within the timeout");
        }
        if (redriveExit != ExitCodes.OK) {
            violations.add("sluice dlq redrive exited with " + redriveExit);
        }
        ledger.categoryByOrder.forEach((id, category) -> {
            int applied = ledger.effects.getOrDefault(id, new AtomicInteger()).get();
            if (applied != 1) {
                violations.add("order " + id + " (" + category + ") was applied " + applied + " times");
            }
        });
        if (!ledger.fifoApplied.equals(ledger.fifoSent)) {
            violations.add("FIFO order broken: sent " + ledger.fifoSent + ", applied " + ledger.fifoApplied);
        }
        List<String> quarantined = dead.stream().filter(d -> d.envelope().map(e -> e.failureKind().name().equals("POISON")).orElse(false))
                .map(DeadLetter::originalMessageId).sorted().toList();
        List<String> expected = ledger.undecodableMessageIds.stream().sorted().toList();
        if (!quarantined.equals(expected) || dead.size() != expected.size()) {
            violations.add("the DLQ should hold exactly the " + expected.size() + " undecodable bodies as POISON, holds "
                    + kinds(dead));
        }
        return violations;
    }

    private void text(PrintWriter w, String line) {
        if (output == OutputFormat.text) {
            w.println(line);
            w.flush();
        }
    }

    private static Path defaultMotoServer() {
        Path from;
        try {
            // sluice.jar sits in cli/target (the classes directory in cli/target/classes): the build's virtual
            // environment is in target/moto at the root of that tree
            from = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (URISyntaxException | RuntimeException e) {
            from = Path.of("");
        }
        Path start = from;
        return MotoServer.locate(System.getenv(MotoServer.EXECUTABLE_VARIABLE), start)
                .or(() -> MotoServer.locate(null, Path.of("")))
                .orElseThrow(() -> new IllegalStateException("moto is not installed: build with ./mvnw -B -ntp install -DskipTests "
                        + "(it creates target/moto), or pass --moto-server"));
    }
}
