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
import dev.sluice.core.SluiceConfig;
import dev.sluice.core.spi.MetricsSink;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Wall time of one batch of 10 messages with idempotency, Sluice against a Powertools 1.15.0 handler doing
 * the same work on the same DynamoDB Local table, side by side in one run. Every DynamoDB request is delayed
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
             SqsClient unused = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:1"))
                     .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            String table = Tables.create(setup, "bench-idempotency");
            SqsBatchConsumer<Order> sluice = SqsBatchConsumer.builder(Order.class)
                    .config(SluiceConfig.builder().queueName("order-events").idempotencyTable(table).idempotencyKeyPointer("/orderId").build())
                    .sqsClient(unused).dynamoDbClient(sluiceClient)
                    .handler(new OrderHandler()).logSink(event -> { }).metrics(MetricsSink.NOOP).snapStartPriming(false).build();
            PowertoolsOrderEventsFunction powertools = new PowertoolsOrderEventsFunction(powertoolsClient, table);

            Stats sluiceNew = new Stats();
            Stats powertoolsNew = new Stats();
            Stats sluiceDuplicate = new Stats();
            Stats powertoolsDuplicate = new Stats();
            for (int i = 0; i < warmup + iterations; i++) {
                SQSEvent forSluice = BenchEvents.orders("s" + i, BATCH);
                SQSEvent forPowertools = BenchEvents.orders("p" + i, BATCH);
                boolean measure = i >= warmup;
                // alternate which side goes first
                if (i % 2 == 0) {
                    time(measure, sluiceNew, () -> sluice.handle(forSluice, new BenchContext()));
                    time(measure, powertoolsNew, () -> powertools.handleRequest(forPowertools, new BenchContext()));
                } else {
                    time(measure, powertoolsNew, () -> powertools.handleRequest(forPowertools, new BenchContext()));
                    time(measure, sluiceNew, () -> sluice.handle(forSluice, new BenchContext()));
                }
                time(measure, sluiceDuplicate, () -> sluice.handle(forSluice, new BenchContext()));
                time(measure, powertoolsDuplicate, () -> powertools.handleRequest(forPowertools, new BenchContext()));
            }
            System.out.printf(Locale.ROOT, "batch of %d, %d ms injected per DynamoDB request, %d measured rounds%n", BATCH,
                    LATENCY.toMillis(), iterations);
            System.out.println("new messages       Sluice:     " + sluiceNew);
            System.out.println("new messages       Powertools: " + powertoolsNew);
            System.out.printf(Locale.ROOT, "new messages       Sluice/Powertools (medians) = %.3f%n", sluiceNew.median() / powertoolsNew.median());
            System.out.println("duplicate messages Sluice:     " + sluiceDuplicate);
            System.out.println("duplicate messages Powertools: " + powertoolsDuplicate);
            System.out.printf(Locale.ROOT, "duplicate messages Sluice/Powertools (medians) = %.3f%n",
                    sluiceDuplicate.median() / powertoolsDuplicate.median());
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
