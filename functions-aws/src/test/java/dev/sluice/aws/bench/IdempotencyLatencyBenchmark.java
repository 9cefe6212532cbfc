package dev.sluice.aws.bench;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.local.MotoServer;
import dev.sluice.aws.powertools.PowertoolsOrderEventsFunction;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.LatencyInjector;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.OrderHandler;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.spi.MetricsSink;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Wall time of one batch of 10 messages with idempotency, Sluice against a Powertools 1.15.0 handler doing
 * the same work and against the floor (the same store requests sent directly with the SDK, concurrently:
 * {@link StoreFloor}), on the same moto table, side by side in one run. Every DynamoDB request is delayed
 * by 5 ms before it is sent (a {@link LatencyInjector}), which models the network round trip to DynamoDB;
 * loopback alone would hide what concurrency across messages buys. New batches and replayed (duplicate)
 * batches are measured separately; the two sides alternate, so machine noise hits both alike.
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl functions-aws package exec:exec -DskipTests -Dbench=IdempotencyLatencyBenchmark}
 */
public final class IdempotencyLatencyBenchmark {
    private static final int BATCH = 10;
    private static final Duration LATENCY = Duration.ofMillis(5);

    private IdempotencyLatencyBenchmark() {}

    /** @param args none; {@code -Dbench.rounds=N} sets the measured rounds (default 40, after 10 warm-up rounds) */
    public static void main(String[] args) {
        int iterations = Integer.getInteger("bench.rounds", 0) > 0 ? Integer.getInteger("bench.rounds") : 40;
        int warmup = 10;
        try (MotoServer engine = MotoServer.start(Engines.motoExecutable());
             DynamoDbClient setup = AwsTestClients.dynamoDb(engine.endpoint());
             DynamoDbClient sluiceClient = AwsTestClients.dynamoDb(engine.endpoint(), new LatencyInjector(LATENCY));
             DynamoDbClient powertoolsClient = AwsTestClients.dynamoDb(engine.endpoint(), new LatencyInjector(LATENCY));
             DynamoDbClient floorClient = AwsTestClients.dynamoDb(engine.endpoint(), new LatencyInjector(LATENCY));
             SqsClient unused = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:1"))
                     .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            String table = Tables.create(setup, "bench-idempotency");
            SqsBatchConsumer<Order> sluice = SqsBatchConsumer.builder(Order.class)
                    .config(SluiceConfig.builder().queueName("order-events").idempotencyTable(table).idempotencyKeyPointer("/orderId").build())
                    .sqsClient(unused).dynamoDbClient(sluiceClient)
                    .handler(new OrderHandler()).logSink(event -> { }).metrics(MetricsSink.NOOP).snapStartPriming(false).build();
            PowertoolsOrderEventsFunction powertools = new PowertoolsOrderEventsFunction(powertoolsClient, table);
            StoreFloor floor = new StoreFloor(floorClient, table);

            Stats sluiceNew = new Stats();
            Stats powertoolsNew = new Stats();
            Stats sluiceDuplicate = new Stats();
            Stats powertoolsDuplicate = new Stats();
            Stats floorNew = new Stats();
            Stats floorDuplicate = new Stats();
            for (int i = 0; i < warmup + iterations; i++) {
                SQSEvent forSluice = BenchEvents.orders("s" + i, BATCH);
                SQSEvent forPowertools = BenchEvents.orders("p" + i, BATCH);
                String round = Integer.toString(i);
                List<String> forFloor = IntStream.range(0, BATCH).mapToObj(m -> "floor#" + round + "-" + m).toList();
                boolean measure = i >= warmup;
                // rotate which side goes first, so machine noise hits all three alike
                List<Runnable> newBatches = List.of(
                        () -> time(measure, sluiceNew, () -> sluice.handle(forSluice, new BenchContext())),
                        () -> time(measure, powertoolsNew, () -> powertools.handleRequest(forPowertools, new BenchContext())),
                        () -> timeFloor(measure, floorNew, () -> floor.batch(forFloor, true)));
                List<Runnable> duplicateBatches = List.of(
                        () -> time(measure, sluiceDuplicate, () -> sluice.handle(forSluice, new BenchContext())),
                        () -> time(measure, powertoolsDuplicate, () -> powertools.handleRequest(forPowertools, new BenchContext())),
                        () -> timeFloor(measure, floorDuplicate, () -> floor.batch(forFloor, false)));
                for (int k = 0; k < newBatches.size(); k++) {
                    newBatches.get((i + k) % newBatches.size()).run();
                }
                for (int k = 0; k < duplicateBatches.size(); k++) {
                    duplicateBatches.get((i + k) % duplicateBatches.size()).run();
                }
            }
            System.out.printf(Locale.ROOT, "batch of %d, %d ms injected per DynamoDB request, %d measured rounds%n", BATCH,
                    LATENCY.toMillis(), iterations);
            report("new messages      ", sluiceNew, powertoolsNew, floorNew);
            report("duplicate messages", sluiceDuplicate, powertoolsDuplicate, floorDuplicate);
        }
    }

    private static void report(String what, Stats sluice, Stats powertools, Stats floor) {
        System.out.println(what + " Sluice:     " + sluice);
        System.out.println(what + " Powertools: " + powertools);
        System.out.println(what + " floor:      " + floor);
        System.out.printf(Locale.ROOT, "%s Sluice/floor (medians) = %.2f (target <= 1.3), Sluice/Powertools (medians) = %.3f"
                + " (target <= 0.15)%n", what, sluice.median() / floor.median(), sluice.median() / powertools.median());
    }

    private static void timeFloor(boolean measure, Stats stats, Runnable batch) {
        long start = System.nanoTime();
        batch.run();
        if (measure) {
            stats.add((System.nanoTime() - start) / 1e6);
        }
    }

    private static void time(boolean measure, Stats stats, Supplier<SQSBatchResponse> batch) {
        long start = System.nanoTime();
        SQSBatchResponse response = batch.get();
        double millis = (System.nanoTime() - start) / 1e6;
        if (!response.getBatchItemFailures().isEmpty()) {
            throw new IllegalStateException("benchmark batch had failures: " + response.getBatchItemFailures());
        }
        if (measure) {
            stats.add(millis);
        }
    }
}
