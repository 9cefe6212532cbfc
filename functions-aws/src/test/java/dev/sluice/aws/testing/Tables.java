package dev.sluice.aws.testing;

import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Creates tables shaped as the CDK construct creates them. */
public final class Tables {
    private Tables() {}

    /**
     * @param client a client
     * @param prefix a readable prefix
     * @return the name of a new table with string partition key {@code id} (the idempotency table's shape)
     */
    public static String create(DynamoDbClient client, String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        client.createTable(r -> r.tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id").attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build()));
        client.waiter().waitUntilTableExists(r -> r.tableName(name));
        return name;
    }

    /**
     * @param client a client
     * @param table a table with key {@code id}
     * @param id an id
     * @return the item, empty when absent (a consistent read)
     */
    public static Map<String, AttributeValue> item(DynamoDbClient client, String table, String id) {
        return client.getItem(r -> r.tableName(table).key(Map.of("id", AttributeValue.builder().s(id).build())).consistentRead(true)).item();
    }

    /**
     * @param client a client
     * @param table a table
     * @return how many items it holds
     */
    public static int count(DynamoDbClient client, String table) {
        return client.scan(r -> r.tableName(table).consistentRead(true)).count();
    }
}
