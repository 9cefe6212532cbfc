package dev.sluice.aws;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.aws.testing.Tables;
import dev.sluice.core.spi.IdempotencyStore;
import dev.sluice.core.testing.IdempotencyStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The store contract on {@link DynamoDbIdempotencyStore}: DynamoDB on moto, or {@code SLUICE_TEST_DYNAMODB_ENDPOINT}. */
@ExtendWith(Engines.class)
class DynamoDbIdempotencyStoreContractIT extends IdempotencyStoreContract {
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void client() {
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
    }

    @AfterAll
    static void close() {
        dynamo.close();
    }

    @Override
    protected IdempotencyStore newStore() {
        return DynamoDbIdempotencyStore.builder().client(dynamo).table(Tables.create(dynamo, "contract")).keyPrefix("orders").build();
    }
}
