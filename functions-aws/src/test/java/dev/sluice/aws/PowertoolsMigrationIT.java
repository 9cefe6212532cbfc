package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.internal.PowertoolsKeys;
import dev.sluice.aws.local.LocalLambdaContext;
import dev.sluice.aws.powertools.PowertoolsOrderEventsFunction;
import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Events;
import dev.sluice.aws.testing.Messages;
import dev.sluice.aws.testing.Order;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.pipeline.MessageOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

@ExtendWith(Engines.class)
class PowertoolsMigrationIT {

    @Test
    void messagesPowertoolsProcessed_areDuplicatesForSluiceInPowertoolsKeyMode_onTheSameTable() {
        try (DynamoDbClient dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb()); SqsClient sqs = AwsTestClients.sqs(Engines.sqs())) {
            // GIVEN a Powertools 1.15.0 function (woven @Idempotent, key = orderId) that processed three orders
            String table = Tables.create(dynamo, "shared-idempotency");
            PowertoolsOrderEventsFunction powertools = new PowertoolsOrderEventsFunction(dynamo, table);
            SQSEvent before = Events.of(
                    Events.record("pt-1", Messages.order("o-1", "10"), Map.of()),
                    Events.record("pt-2", Messages.order("o-2", "20"), Map.of()),
                    Events.record("pt-3", Messages.order("o-3", "30"), Map.of()));
            powertools.handleRequest(before, new LocalLambdaContext("order-events", Duration.ofSeconds(30), Clock.systemUTC()));
            assertThat(powertools.executions()).isEqualTo(3);
            assertThat(Tables.item(dynamo, table, PowertoolsKeys.recordId("testFunction.process", "o-1")))
                    .as("Powertools wrote its record under the id Sluice derives").containsKey("status");

            // WHEN the team switches to Sluice, configured in Powertools key mode on the same table, and the
            // same orders arrive again (new SQS message ids), plus a new one
            AtomicInteger sluiceExecutions = new AtomicInteger();
            SqsBatchConsumer<Order> sluice = sluiceInPowertoolsKeyMode(dynamo, sqs, table, sluiceExecutions);
            List<MessageOutcome> outcomes = sluice.outcomes(Events.of(
                    Events.record("sl-1", Messages.order("o-1", "10"), Map.of()),
                    Events.record("sl-2", Messages.order("o-2", "20"), Map.of()),
                    Events.record("sl-3", Messages.order("o-3", "30"), Map.of()),
                    Events.record("sl-4", Messages.order("o-4", "40"), Map.of())), Instant.MAX);

            // THEN the three Powertools already processed are skipped as duplicates; only the new one runs
            assertThat(outcomes).extracting(o -> o.getClass().getSimpleName())
                    .containsExactly("Duplicate", "Duplicate", "Duplicate", "Processed");
            assertThat(sluiceExecutions).hasValue(1);
            assertThat(Tables.count(dynamo, table)).isEqualTo(4);
        }
    }

    @Test
    void messagesSluiceProcessedInPowertoolsKeyMode_areDuplicatesForPowertools_afterARollback() {
        try (DynamoDbClient dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb()); SqsClient sqs = AwsTestClients.sqs(Engines.sqs())) {
            // GIVEN Sluice in Powertools key mode processed two orders on a table shared with Powertools
            String table = Tables.create(dynamo, "shared-idempotency");
            AtomicInteger sluiceExecutions = new AtomicInteger();
            SqsBatchConsumer<Order> sluice = sluiceInPowertoolsKeyMode(dynamo, sqs, table, sluiceExecutions);
            List<MessageOutcome> outcomes = sluice.outcomes(Events.of(
                    Events.record("sl-1", Messages.order("o-1", "10"), Map.of()),
                    Events.record("sl-2", Messages.order("o-2", "20"), Map.of())), Instant.MAX);
            assertThat(outcomes).extracting(o -> o.getClass().getSimpleName()).containsExactly("Processed", "Processed");

            // WHEN the team rolls back to the Powertools 1.15.0 function and the same orders arrive again, plus a new one
            PowertoolsOrderEventsFunction powertools = new PowertoolsOrderEventsFunction(dynamo, table);
            SQSBatchResponse response = powertools.handleRequest(Events.of(
                    Events.record("pt-1", Messages.order("o-1", "10"), Map.of()),
                    Events.record("pt-2", Messages.order("o-2", "20"), Map.of()),
                    Events.record("pt-3", Messages.order("o-3", "30"), Map.of())),
                    new LocalLambdaContext("order-events", Duration.ofSeconds(30), Clock.systemUTC()));

            // THEN Powertools reads Sluice's records as completed: it skips both without an error, runs only the new one
            assertThat(response.getBatchItemFailures()).as("Powertools failed on a record Sluice wrote").isEmpty();
            assertThat(powertools.executions()).isEqualTo(1);
            assertThat(sluiceExecutions).hasValue(2);
            assertThat(Tables.count(dynamo, table)).isEqualTo(3);
        }
    }

    @Test
    void aRecordSluiceReleasedAfterAFailure_isFreeForPowertools_whichRunsIt_andSluiceThenSeesADuplicate() {
        try (DynamoDbClient dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb()); SqsClient sqs = AwsTestClients.sqs(Engines.sqs())) {
            // GIVEN Sluice in Powertools key mode whose handler failed o-1 with a retryable error
            String table = Tables.create(dynamo, "shared-idempotency");
            AtomicInteger sluiceExecutions = new AtomicInteger();
            SqsBatchConsumer<Order> failing = sluiceInPowertoolsKeyMode(dynamo, sqs, table, (message, context) -> {
                sluiceExecutions.incrementAndGet();
                throw new IllegalStateException("downstream busy");
            });
            List<MessageOutcome> failed = failing.outcomes(Events.of(Events.record("sl-1", Messages.order("o-1", "10"), Map.of())),
                    Instant.MAX);
            assertThat(failed).singleElement().isInstanceOf(MessageOutcome.Retry.class);
            Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> released =
                    Tables.item(dynamo, table, PowertoolsKeys.recordId("testFunction.process", "o-1"));
            assertThat(released.get("status").s()).as("a status Powertools knows").isEqualTo("INPROGRESS");
            assertThat(Long.parseLong(released.get("in_progress_expiration").n())).as("the lease ended at the release")
                    .isLessThanOrEqualTo(Instant.now().toEpochMilli());
            assertThat(released.get("sluice_failures").n()).isEqualTo("1");

            // WHEN the team rolls back to Powertools 1.15.0 and o-1 arrives again
            PowertoolsOrderEventsFunction powertools = new PowertoolsOrderEventsFunction(dynamo, table);
            SQSBatchResponse response = powertools.handleRequest(Events.of(Events.record("pt-1", Messages.order("o-1", "10"), Map.of())),
                    new LocalLambdaContext("order-events", Duration.ofSeconds(30), Clock.systemUTC()));

            // THEN Powertools treats the released record as free and runs the order, without an error
            assertThat(response.getBatchItemFailures()).as("Powertools failed on a record Sluice released").isEmpty();
            assertThat(powertools.executions()).isEqualTo(1);
            assertThat(Tables.item(dynamo, table, PowertoolsKeys.recordId("testFunction.process", "o-1")).get("status").s())
                    .isEqualTo("COMPLETED");
            // AND when Sluice comes back, Powertools' completion makes o-1 a duplicate
            AtomicInteger again = new AtomicInteger();
            assertThat(sluiceInPowertoolsKeyMode(dynamo, sqs, table, again).outcomes(
                    Events.of(Events.record("sl-2", Messages.order("o-1", "10"), Map.of())), Instant.MAX))
                    .singleElement().isInstanceOf(MessageOutcome.Duplicate.class);
            assertThat(again).hasValue(0);
        }
    }

    @Test
    void anOrderPowertoolsFailed_isRunBySluiceAsItsFirstAttempt_andPowertoolsThenSeesSluicesCompletion() {
        try (DynamoDbClient dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb()); SqsClient sqs = AwsTestClients.sqs(Engines.sqs())) {
            // GIVEN Powertools 1.15.0 failed o-7 (its handler threw; Powertools deleted its record)
            String table = Tables.create(dynamo, "shared-idempotency");
            PowertoolsOrderEventsFunction powertools = new PowertoolsOrderEventsFunction(dynamo, table);
            SQSBatchResponse failed = powertools.handleRequest(Events.of(Events.record("pt-7", Messages.order("o-7", "-1"), Map.of())),
                    new LocalLambdaContext("order-events", Duration.ofSeconds(30), Clock.systemUTC()));
            assertThat(failed.getBatchItemFailures()).hasSize(1);

            // WHEN Sluice in Powertools key mode receives o-7 and its handler records the attempt it runs as
            AtomicInteger attempt = new AtomicInteger();
            List<MessageOutcome> outcomes = sluiceInPowertoolsKeyMode(dynamo, sqs, table, (message, context) -> attempt.set(context.attempt()))
                    .outcomes(Events.of(Events.record("sl-7", Messages.order("o-7", "-1"), Map.of())), Instant.MAX);

            // THEN Sluice runs it as attempt 1 (Powertools' failures are not on record) and completes it
            assertThat(outcomes).singleElement().isInstanceOf(MessageOutcome.Processed.class);
            assertThat(attempt).hasValue(1);
            // AND Powertools, rolled back to, reads Sluice's completion as a duplicate
            SQSBatchResponse after = powertools.handleRequest(Events.of(Events.record("pt-8", Messages.order("o-7", "-1"), Map.of())),
                    new LocalLambdaContext("order-events", Duration.ofSeconds(30), Clock.systemUTC()));
            assertThat(after.getBatchItemFailures()).isEmpty();
            assertThat(powertools.executions()).isEqualTo(1);
        }
    }

    private static SqsBatchConsumer<Order> sluiceInPowertoolsKeyMode(DynamoDbClient dynamo, SqsClient sqs, String table,
            AtomicInteger executions) {
        return sluiceInPowertoolsKeyMode(dynamo, sqs, table, (message, context) -> executions.incrementAndGet());
    }

    /** Sluice as a team configures it on a table shared with Powertools: Powertools key mode, key {@code /orderId}. */
    private static SqsBatchConsumer<Order> sluiceInPowertoolsKeyMode(DynamoDbClient dynamo, SqsClient sqs, String table,
            dev.sluice.core.MessageHandler<Order> handler) {
        return SqsBatchConsumer.builder(Order.class)
                .config(SluiceConfig.builder().queueName("order-events").idempotencyTable(table)
                        .idempotencyKeyPointer("/orderId").build())
                .awsConfig(AwsConfig.from(Map.of(AwsConfig.SLUICE_IDEMPOTENCY_KEY_FORMAT, "powertools",
                        AwsConfig.SLUICE_POWERTOOLS_HANDLER_NAME, "process")))
                .sqsClient(sqs)
                .dynamoDbClient(dynamo)
                .handler(handler)
                .logSink(event -> { })
                .metrics(dev.sluice.core.spi.MetricsSink.NOOP)
                .snapStartPriming(false)
                .build();
    }
}
