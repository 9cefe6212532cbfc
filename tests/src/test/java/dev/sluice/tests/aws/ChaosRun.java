package dev.sluice.tests.aws;

import dev.sluice.aws.DynamoDbIdempotencyStore;
import dev.sluice.aws.DynamoDbTransaction;
import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.SqsDeadLetterSource;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.observability.InMemoryMetrics;
import dev.sluice.core.observability.SluiceMetrics;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.tests.aws.ChaosLedger.Plan;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * One chaos run on the AWS path: a FIFO queue with a real redrive policy on ElasticMQ, idempotency on DynamoDB
 * Local, several local event source mappings (one "Lambda instance" each) polling concurrently, and a producer
 * that sends orders with duplicates, transient failures, poison and crashes planned by the ledger.
 */
final class ChaosRun {
    static final int GROUPS = 50;
    static final int POLLERS = 4;
    static final int PRODUCERS = 4;
    static final Duration LEASE = Duration.ofSeconds(3);
    static final int VISIBILITY_SECONDS = 2;
    static final int MAX_ATTEMPTS = 20;
    static final int MAX_RECEIVE_COUNT = 60;

    private final URI sqsEndpoint;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private final IdempotencyMode mode;
    final ChaosLedger ledger = new ChaosLedger();
    final InMemoryMetrics metrics = new InMemoryMetrics();
    final Queues.Pair queue;
    private final String idempotencyTable;
    private final String effectsTable;

    /** One planned send. */
    private record Planned(String key, String group, String body, Plan plan, boolean duplicate, int seq) {}

    ChaosRun(URI sqsEndpoint, SqsClient sqs, DynamoDbClient dynamo, IdempotencyMode mode) {
        this.sqsEndpoint = sqsEndpoint;
        this.sqs = sqs;
        this.dynamo = dynamo;
        this.mode = mode;
        this.queue = Queues.create(sqs, "chaos-" + mode.name().toLowerCase(), true, VISIBILITY_SECONDS, MAX_RECEIVE_COUNT);
        this.idempotencyTable = Tables.create(dynamo, "chaos-idempotency");
        this.effectsTable = Tables.create(dynamo, "chaos-effects");
    }

    /**
     * Plans {@code messages} sends: about 10 % producer duplicates (same body, own deduplication id, later in
     * the same group), and among new keys 5 % transient failures, 1 % poison, 1.5 % crashes after the effect
     * and before complete, 0.5 % crashes after complete and before the delete, 0.1 % failing every run (dead-lettered
     * EXHAUSTED after {@link #MAX_ATTEMPTS} executions; never sent twice, so one record counts one message's runs).
     */
    private List<Planned> plan(int messages, long seed) {
        Random random = new Random(seed);
        List<Planned> plan = new ArrayList<>(messages);
        Map<String, List<Planned>> originalsByGroup = new HashMap<>();
        int poisonVariant = 0;
        for (int i = 0; i < messages; i++) {
            String group = "g-" + random.nextInt(GROUPS);
            List<Planned> originals = originalsByGroup.computeIfAbsent(group, g -> new ArrayList<>());
            if (!originals.isEmpty() && random.nextDouble() < 0.10) {
                // a producer retry: an earlier order of this group, sent again
                Planned of = originals.get(originals.size() - 1 - random.nextInt(Math.min(20, originals.size())));
                if (of.plan() != Plan.EXHAUSTING) {
                    plan.add(new Planned(of.key(), group, of.body(), of.plan(), true, i));
                    continue;
                }
            }
            String key = "o-" + i;
            double roll = random.nextDouble();
            Plan fate = roll < 0.05 ? Plan.TRANSIENT : roll < 0.06 ? Plan.POISON : roll < 0.075 ? Plan.CRASH_BEFORE_COMPLETE
                    : roll < 0.08 ? Plan.CRASH_AFTER_COMPLETE : roll < 0.081 ? Plan.EXHAUSTING : Plan.NORMAL;
            String body = switch (fate) {
                case POISON -> switch (poisonVariant++ % 3) {
                    case 0 -> "{\"orderId\":\"" + key + "\",\"customerId\":\"" + group + "\",\"amount\":"; // truncated JSON
                    case 1 -> "{\"orderId\":\"" + key + "\",\"customerId\":\"" + group + "\",\"amount\":\"lots\"}"; // wrong type
                    default -> "{\"orderId\":\"" + key + "\"}"; // missing fields
                };
                default -> "{\"orderId\":\"" + key + "\",\"customerId\":\"" + group + "\",\"amount\":" + (1 + random.nextInt(999)) + "}";
            };
            ledger.plan(key, fate);
            Planned p = new Planned(key, group, body, fate, false, i);
            originals.add(p);
            plan.add(p);
        }
        return plan;
    }

    private MessageHandler<Order> handler(ChaosFunction instance) {
        return (message, context) -> {
            String key = message.body().orderId();
            String group = message.groupKey().orElseThrow();
            int execution = ledger.executed(key);
            if (instance.dead().get()) {
                throw new IllegalStateException("process crashed");
            }
            if (ledger.planOf(key) == Plan.EXHAUSTING) {
                throw new IllegalStateException("downstream rejects this order every time (injected)");
            }
            if (ledger.planOf(key) == Plan.TRANSIENT && execution <= 1 + Math.floorMod(key.hashCode(), 2)) {
                ledger.transientFailure();
                throw new IllegalStateException("downstream unavailable (injected)");
            }
            if (mode == IdempotencyMode.GUARD) {
                ledger.effect(key, group);
            } else {
                // the effect lives in the same database and commits with the idempotency record, or not at all
                DynamoDbTransaction tx = context.transaction(DynamoDbTransaction.class);
                tx.update(Update.builder().tableName(effectsTable).key(Map.of("id", s("k#" + key)))
                        .updateExpression("ADD applied :one SET grp = :g")
                        .expressionAttributeValues(Map.of(":one", AttributeValue.builder().n("1").build(), ":g", s(group)))
                        .build());
                tx.update(Update.builder().tableName(effectsTable).key(Map.of("id", s("g#" + group)))
                        .updateExpression("SET applied_keys = list_append(if_not_exists(applied_keys, :empty), :me)")
                        .expressionAttributeValues(Map.of(":empty", AttributeValue.builder().l(List.of()).build(),
                                ":me", AttributeValue.builder().l(s(key)).build()))
                        .build());
            }
        };
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    private ChaosFunction instance(List<SqsClient> clients) {
        ChaosFunction function = new ChaosFunction(ledger);
        return function.consumer(f -> {
            SqsClient own = AwsTestClients.sqs(sqsEndpoint, f.deadProcessSendsNothing());
            clients.add(own);
            DynamoDbIdempotencyStore table = DynamoDbIdempotencyStore.builder().client(dynamo).table(idempotencyTable)
                    .keyPrefix(queue.name()).build();
            return SqsBatchConsumer.builder(Order.class)
                    .config(SluiceConfig.builder().queueName(queue.name()).maxAttempts(MAX_ATTEMPTS)
                            .retryBackoff(Duration.ofMillis(100)).retryBackoffMax(Duration.ofMillis(500))
                            // the breaker outlives a batch (a dead instance opens it): open for the backoff's scale
                            .circuitOpenDelay(Duration.ofMillis(500)).build())
                    .idempotency(IdempotencyOptions.builder().store(new CrashingStore(table, ledger, f.dead()))
                            .mode(mode).keyPointer("/orderId").lease(LEASE).build())
                    .sqsClient(own)
                    .dynamoDbClient(dynamo)
                    .queueUrl(queue.url())
                    .deadLetterQueueUrl(queue.dlqUrl())
                    .handler(handler(f))
                    .metrics(metrics)
                    .logSink(event -> { })
                    .snapStartPriming(false)
                    .build();
        });
    }

    /**
     * Sends {@code messages}, consumes until the queue is empty (or {@code timeout}), then reads the DLQ.
     *
     * @return whether the queue drained
     */
    boolean run(int messages, long seed, Duration timeout) throws Exception {
        List<Planned> plan = plan(messages, seed);
        List<SqsClient> clients = java.util.Collections.synchronizedList(new ArrayList<>());
        List<LocalEventSourceMapping> pollers = new ArrayList<>();
        for (int i = 0; i < POLLERS; i++) {
            pollers.add(LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url()).function(instance(clients))
                    .batchSize(10).pollWait(Duration.ofSeconds(1)).functionName("chaos-" + i).build());
        }
        boolean drained = false;
        try {
            pollers.forEach(LocalEventSourceMapping::start);
            produce(plan);
            Instant started = Instant.now();
            Instant until = started.plus(timeout);
            while (Instant.now().isBefore(until)) {
                if (pollers.getFirst().isEmpty()) {
                    drained = true;
                    break;
                }
                Thread.sleep(500);
            }
            // how close a run came to its limit shows in the output before the assertion does
            System.out.printf("%d messages: %s after %d s (limit %d s)%n", messages, drained ? "drained" : "NOT drained",
                    Duration.between(started, Instant.now()).toSeconds(), timeout.toSeconds());
        } finally {
            pollers.forEach(LocalEventSourceMapping::close);
            clients.forEach(SqsClient::close);
        }
        readDeadLetters();
        return drained;
    }

    private void produce(List<Planned> plan) throws Exception {
        // one producer per set of groups keeps each group's send order
        try (ExecutorService producers = Executors.newFixedThreadPool(PRODUCERS)) {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int producer = p;
                List<Planned> mine = plan.stream()
                        .filter(m -> Math.floorMod(Integer.parseInt(m.group().substring(2)), PRODUCERS) == producer).toList();
                done.add(producers.submit(() -> {
                    for (int from = 0; from < mine.size(); from += 10) {
                        send(mine.subList(from, Math.min(mine.size(), from + 10)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private void send(List<Planned> batch) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (Planned m : batch) {
            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(m.seq())).messageBody(m.body())
                    .messageGroupId(m.group()).messageDeduplicationId("d-" + m.seq()).build());
        }
        SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(queue.url()).entries(entries));
        if (!response.failed().isEmpty()) {
            throw new IllegalStateException("send failed: " + response.failed());
        }
        Map<String, String> idBySeq = new HashMap<>();
        response.successful().forEach(s -> idBySeq.put(s.id(), s.messageId()));
        for (Planned m : batch) {
            ledger.sent(new ChaosLedger.Sent(idBySeq.get(Integer.toString(m.seq())), m.key(), m.group(), m.plan(), m.duplicate()));
        }
    }

    /** Reads the DLQ through the module's own reader (it unpacks {@code sluice-packed-attributes}), deleting as it goes:
     * a FIFO queue hides a group's later messages while an earlier one is held. */
    private void readDeadLetters() {
        SqsDeadLetterSource source = new SqsDeadLetterSource(sqs, queue.dlqUrl(), Duration.ofSeconds(30));
        for (int empty = 0; empty < 3; ) {
            List<DeadLetter> batch = source.receive(10);
            if (batch.isEmpty()) {
                empty++;
                continue;
            }
            for (DeadLetter dead : batch) {
                dead.envelope().ifPresentOrElse(e -> ledger.deadLetter(dead.originalMessageId(), e.failureKind().name()),
                        ledger::deadLetterWithoutEnvelope);
                source.remove(dead);
            }
        }
    }

    long retries() {
        return metrics.total(SluiceMetrics.ABANDONED);
    }

    /** @return transactional mode: how often each key's effect committed, read from the effects table */
    Map<String, Integer> committedEffects() {
        Map<String, Integer> counts = new TreeMap<>();
        dynamo.scanPaginator(r -> r.tableName(effectsTable).consistentRead(true)).items().forEach(item -> {
            String id = item.get("id").s();
            if (id.startsWith("k#")) {
                counts.put(id.substring(2), Integer.parseInt(item.get("applied").n()));
            }
        });
        return counts;
    }

    /** @return transactional mode: per group, the keys in commit order */
    Map<String, List<String>> committedOrderByGroup() {
        Map<String, List<String>> order = new TreeMap<>();
        dynamo.scanPaginator(r -> r.tableName(effectsTable).consistentRead(true)).items().forEach(item -> {
            String id = item.get("id").s();
            if (id.startsWith("g#")) {
                order.put(id.substring(2), item.get("applied_keys").l().stream().map(AttributeValue::s).toList());
            }
        });
        return order;
    }
}
