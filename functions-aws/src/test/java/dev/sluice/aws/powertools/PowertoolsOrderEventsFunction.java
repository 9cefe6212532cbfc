package dev.sluice.aws.powertools;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.lambda.powertools.idempotency.Idempotency;
import software.amazon.lambda.powertools.idempotency.IdempotencyConfig;
import software.amazon.lambda.powertools.idempotency.Idempotent;
import software.amazon.lambda.powertools.idempotency.persistence.DynamoDBPersistenceStore;

/**
 * The order-events function as a team builds it with Powertools for AWS Lambda (Java) 1.15.0: the
 * {@code @Idempotent} aspect (woven at build time by AspectJ) around a per-message method keyed by
 * {@code orderId}, messages handled one after another, failures reported as batch item failures. Used by
 * the migration test and the benchmarks; never shipped.
 */
public class PowertoolsOrderEventsFunction implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final AtomicInteger executions = new AtomicInteger();

    /** Lambda's constructor: table from {@code IDEMPOTENCY_TABLE}, client built by Powertools. */
    public PowertoolsOrderEventsFunction() {
        configure(DynamoDBPersistenceStore.builder().withTableName(System.getenv("IDEMPOTENCY_TABLE")).build());
    }

    /**
     * @param client a DynamoDB client (e.g. for moto)
     * @param table the idempotency table
     */
    public PowertoolsOrderEventsFunction(DynamoDbClient client, String table) {
        configure(DynamoDBPersistenceStore.builder().withTableName(table).withDynamoDbClient(client).build());
    }

    private static void configure(DynamoDBPersistenceStore store) {
        Idempotency.config()
                .withConfig(IdempotencyConfig.builder().withEventKeyJMESPath("orderId").withExpiration(Duration.ofDays(7)).build())
                .withPersistenceStore(store)
                .configure();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Idempotency.registerLambdaContext(context);
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage record : event.getRecords()) {
            try {
                process(MAPPER.readTree(record.getBody()));
            } catch (Exception e) {
                failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(record.getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /**
     * @param order the order event
     * @return a result for Powertools to store
     */
    @Idempotent
    public String process(JsonNode order) {
        executions.incrementAndGet();
        if (order.path("amount").asDouble() < 0) {
            throw new IllegalArgumentException("negative amount");
        }
        return "accepted " + order.path("orderId").asText();
    }

    /** @return how often {@link #process} actually ran */
    public int executions() {
        return executions.get();
    }
}
