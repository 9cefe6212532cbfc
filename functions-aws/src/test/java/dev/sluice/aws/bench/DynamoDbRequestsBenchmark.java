package dev.sluice.aws.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.SqsBatchConsumer;
import dev.sluice.aws.local.MotoServer;
import dev.sluice.aws.powertools.PowertoolsOrderEventsFunction;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.OrderHandler;
import dev.sluice.aws.testing.RequestCounter;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.spi.MetricsSink;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * DynamoDB requests per message, counted with an SDK {@code ExecutionInterceptor}: Sluice in guard and
 * transactional mode, and Powertools 1.15.0, each for a batch of new messages and the same batch replayed.
 *
 * <p>Run: {@code ./mvnw -B -ntp -pl functions-aws package exec:exec -DskipTests -Dbench=DynamoDbRequestsBenchmark}
 */
public final class DynamoDbRequestsBenchmark {
    private static final int BATCH = 10;

    private DynamoDbRequestsBenchmark() {}

    /** @param args none */
    public static void main(String[] args) {
        RequestCounter counter = new RequestCounter();
        try (MotoServer engine = MotoServer.start(Engines.motoExecutable());
             DynamoDbClient client = AwsTestClients.dynamoDb(engine.endpoint(), counter);
             SqsClient unused = SqsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:1"))
                     .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build()) {
            String table = Tables.create(client, "bench-requests");
            for (IdempotencyMode mode : IdempotencyMode.values()) {
                SqsBatchConsumer<Order> sluice = SqsBatchConsumer.builder(Order.class)
                        .config(SluiceConfig.builder().queueName("order-events-" + mode).idempotencyTable(table).idempotencyKeyPointer("/orderId").build())
                        .idempotencyMode(mode).sqsClient(unused).dynamoDbClient(client)
                        .handler(new OrderHandler()).logSink(event -> { }).metrics(MetricsSink.NOOP).snapStartPriming(false).build();
                SQSEvent batch = BenchEvents.orders("sluice-" + mode, BATCH);
                report("Sluice " + mode + ", new", counter, () -> sluice.handle(batch, new BenchContext()));
                report("Sluice " + mode + ", duplicate", counter, () -> sluice.handle(batch, new BenchContext()));
            }
            PowertoolsOrderEventsFunction powertools = new PowertoolsOrderEventsFunction(client, table);
            SQSEvent batch = BenchEvents.orders("powertools", BATCH);
            report("Powertools 1.15.0, new", counter, () -> powertools.handleRequest(batch, new BenchContext()));
            report("Powertools 1.15.0, duplicate", counter, () -> powertools.handleRequest(batch, new BenchContext()));
        }
    }

    private static void report(String label, RequestCounter counter, Runnable batch) {
        counter.reset();
        batch.run();
        Map<String, Integer> calls = counter.snapshot();
        StringBuilder perMessage = new StringBuilder();
        calls.forEach((operation, n) -> perMessage.append(String.format(Locale.ROOT, "%s %.1f (%d failed), ", operation,
                n / (double) BATCH, counter.failures(operation))));
        System.out.printf(Locale.ROOT, "%-32s per message: %s%n", label, perMessage.length() == 0 ? "none" : perMessage.substring(0, perMessage.length() - 2));
    }
}
