package dev.sluice.tests.aws.bench;

import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.local.LocalEventSourceMapping;
import dev.sluice.aws.local.MotoServer;
import dev.sluice.aws.powertools.PowertoolsOrderEventsFunction;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.ElasticMqServer;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Queues;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.config.SluiceConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * End-to-end throughput of the AWS path on this machine, in one run, on one ElasticMQ and one moto: a plain
 * receive-process-delete loop, Sluice (SqsBatchConsumer behind the local event source mapping, batch 10,
 * DynamoDB idempotency in guard mode), the same function written with Powertools 1.15.0's {@code @Idempotent}
 * behind the same mappings, Sluice without idempotency, and the plain loop plus the two writes guard mode
 * makes. All use the same number of pollers and the same "processing" (decode the order). Not run by {@code verify}; see docs/benchmarks.md for the command.
 *
 * <p>Arguments: {@code [messages per measured round, default 5000] [pollers, default 2] [rounds, default 3]}.
 */
public final class AwsThroughputBenchmark {
    private AwsThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int pollers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf("AWS throughput: %d messages per round, %d pollers, %d rounds, batch 10, %d cores, Java %s%n",
                messages, pollers, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version());
        try (ElasticMqServer elasticMq = ElasticMqServer.start();
             MotoServer moto = MotoServer.start(Engines.motoExecutable());
             SqsClient sqs = AwsTestClients.sqs(elasticMq.endpoint());
             DynamoDbClient dynamo = AwsTestClients.dynamoDb(moto.endpoint())) {
            // warm-up: JIT, connections, engines
            plain(sqs, 1_000, pollers);
            sluice(sqs, dynamo, 1_000, pollers);
            powertools(sqs, dynamo, 1_000, pollers);
            List<Double> plainRates = new ArrayList<>();
            List<Double> sluiceRates = new ArrayList<>();
            List<Double> plainWritesRates = new ArrayList<>();
            List<Double> sluiceNoIdemRates = new ArrayList<>();
            List<Double> powertoolsRates = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double p = plain(sqs, messages, pollers);
                double s = sluice(sqs, dynamo, messages, pollers);
                double pt = powertools(sqs, dynamo, messages, pollers);
                double pw = plain(sqs, dynamo, messages, pollers);
                double sn = sluice(sqs, dynamo, messages, pollers, false);
                plainRates.add(p);
                sluiceRates.add(s);
                powertoolsRates.add(pt);
                plainWritesRates.add(pw);
                sluiceNoIdemRates.add(sn);
                System.out.printf("round %d: plain loop %.0f msg/s, Sluice %.0f msg/s, Powertools %.0f msg/s (Sluice/Powertools %.2f);"
                        + " plain loop + the same 2 DynamoDB writes %.0f msg/s, Sluice without idempotency %.0f msg/s%n",
                        round, p, s, pt, s / pt, pw, sn);
            }
            double p = median(plainRates);
            double s = median(sluiceRates);
            double pt = median(powertoolsRates);
            double pw = median(plainWritesRates);
            double sn = median(sluiceNoIdemRates);
            System.out.printf("median: Sluice %.0f msg/s, Powertools %.0f msg/s, Sluice/Powertools %.2f (target >= 1.5)%n", s, pt, s / pt);
            System.out.printf("median: Sluice without idempotency %.0f msg/s, plain loop %.0f msg/s, ratio %.2f (target >= 0.95)%n",
                    sn, p, sn / p);
            System.out.printf("median: plain loop + 2 writes %.0f msg/s (Sluice/that %.2f); Sluice/plain loop %.2f%n", pw, s / pw, s / p);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static String body(int i) {
        return "{\"orderId\":\"o-" + i + "\",\"customerId\":\"c-" + (i % 100) + "\",\"amount\":" + (1 + i % 999) + "}";
    }

    private static Queues.Pair preload(SqsClient sqs, String prefix, int messages) throws Exception {
        Queues.Pair queue = Queues.create(sqs, prefix, false, 30, 10);
        try (ExecutorService senders = Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int from = 0; from < messages; from += 10) {
                int start = from;
                sent.add(senders.submit(() -> {
                    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = start; i < Math.min(messages, start + 10); i++) {
                        entries.add(SendMessageBatchRequestEntry.builder().id("e" + i).messageBody(body(i)).build());
                    }
                    sqs.sendMessageBatch(r -> r.queueUrl(queue.url()).entries(entries));
                    return null;
                }));
            }
            for (var f : sent) {
                f.get();
            }
        }
        return queue;
    }

    /** The baseline: receive 10, decode each, delete the batch; {@code pollers} threads. */
    private static double plain(SqsClient sqs, int messages, int pollers) throws Exception {
        return plain(sqs, null, messages, pollers);
    }

    /**
     * @param dynamo when set, each message also makes the two writes guard-mode idempotency makes (a conditional
     *     put, then an update), concurrently within the batch: the emulated store's own cost, without Sluice
     */
    private static double plain(SqsClient sqs, DynamoDbClient dynamo, int messages, int pollers) throws Exception {
        Queues.Pair queue = preload(sqs, "bench-plain", messages);
        String table = dynamo == null ? null : Tables.create(dynamo, "bench-plain-writes");
        JsonCodec<Order> codec = JsonCodec.of(Order.class);
        AtomicInteger done = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong end = new java.util.concurrent.atomic.AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newFixedThreadPool(pollers)) {
            for (int t = 0; t < pollers; t++) {
                threads.submit(() -> {
                    while (done.get() < messages) {
                        List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(queue.url()).maxNumberOfMessages(10)
                                .waitTimeSeconds(1).messageAttributeNames("All").messageSystemAttributeNames(
                                        software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName.ALL)).messages();
                        if (batch.isEmpty()) {
                            continue;
                        }
                        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
                        if (table != null) {
                            try (ExecutorService writes = Executors.newVirtualThreadPerTaskExecutor()) {
                                for (Message m : batch) {
                                    writes.submit(() -> twoWrites(dynamo, table, m.messageId()));
                                }
                            }
                        }
                        for (Message m : batch) {
                            codec.decode(m.body().getBytes(java.nio.charset.StandardCharsets.UTF_8), java.util.Map.of());
                            entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(entries.size()))
                                    .receiptHandle(m.receiptHandle()).build());
                        }
                        sqs.deleteMessageBatch(r -> r.queueUrl(queue.url()).entries(entries));
                        if (done.addAndGet(batch.size()) >= messages) {
                            // the last batch is deleted now; the other poller may still sit in a long poll
                            end.compareAndSet(0, System.nanoTime());
                        }
                    }
                    return null;
                });
            }
        }
        return messages / ((end.get() - start) / 1e9);
    }

    private static void twoWrites(DynamoDbClient dynamo, String table, String id) {
        var key = java.util.Map.of("id", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(id));
        var item = new java.util.HashMap<>(key);
        item.put("status", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("INPROGRESS"));
        dynamo.putItem(r -> r.tableName(table).item(item).conditionExpression("attribute_not_exists(id)"));
        dynamo.updateItem(r -> r.tableName(table).key(key).updateExpression("SET #s = :c")
                .expressionAttributeNames(java.util.Map.of("#s", "status"))
                .expressionAttributeValues(java.util.Map.of(":c", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("COMPLETED"))));
    }

    /**
     * Powertools 1.15.0: the same order-events function written with {@code @Idempotent} (the functions-aws
     * test fixture, woven at build time), keyed by {@code orderId} on its own table, behind the same local event
     * source mappings and pollers as Sluice.
     */
    private static double powertools(SqsClient sqs, DynamoDbClient dynamo, int messages, int pollers) throws Exception {
        Queues.Pair queue = preload(sqs, "bench-powertools", messages);
        PowertoolsOrderEventsFunction function = new PowertoolsOrderEventsFunction(dynamo, Tables.create(dynamo, "bench-powertools"));
        return drive(sqs, queue, function::handleRequest, function::executions, messages, pollers);
    }

    private static double drive(SqsClient sqs, Queues.Pair queue,
            com.amazonaws.services.lambda.runtime.RequestHandler<com.amazonaws.services.lambda.runtime.events.SQSEvent,
                    com.amazonaws.services.lambda.runtime.events.SQSBatchResponse> function,
            java.util.function.IntSupplier handled, int messages, int pollers) throws Exception {
        List<LocalEventSourceMapping> esms = new ArrayList<>();
        for (int i = 0; i < pollers; i++) {
            esms.add(LocalEventSourceMapping.builder().sqsClient(sqs).queueUrl(queue.url()).batchSize(10)
                    .pollWait(Duration.ofSeconds(1)).function(function).build());
        }
        long start = System.nanoTime();
        esms.forEach(LocalEventSourceMapping::start);
        while (handled.getAsInt() < messages) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        esms.forEach(LocalEventSourceMapping::close);
        return messages / seconds;
    }

    /** Sluice: the consumer with DynamoDB idempotency (guard) behind {@code pollers} local event source mappings. */
    private static double sluice(SqsClient sqs, DynamoDbClient dynamo, int messages, int pollers) throws Exception {
        return sluice(sqs, dynamo, messages, pollers, true);
    }

    private static double sluice(SqsClient sqs, DynamoDbClient dynamo, int messages, int pollers, boolean idempotency) throws Exception {
        Queues.Pair queue = preload(sqs, "bench-sluice", messages);
        SluiceConfig.Builder config = SluiceConfig.builder().queueName(queue.name());
        if (idempotency) {
            config.idempotencyTable(Tables.create(dynamo, "bench-idempotency")).idempotencyKeyPointer("/orderId");
        }
        AtomicInteger done = new AtomicInteger();
        SqsBatchConsumer<Order> consumer = SqsBatchConsumer.builder(Order.class)
                .config(config.build())
                .sqsClient(sqs).dynamoDbClient(dynamo).queueUrl(queue.url()).deadLetterQueueUrl(queue.dlqUrl())
                .handler((message, context) -> done.incrementAndGet())
                .metrics(new dev.sluice.core.observability.InMemoryMetrics()).logSink(event -> { }).snapStartPriming(false)
                .build();
        return drive(sqs, queue, consumer::handle, done::get, messages, pollers);
    }
}
