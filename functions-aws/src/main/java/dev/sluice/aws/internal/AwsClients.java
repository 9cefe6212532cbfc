package dev.sluice.aws.internal;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Default SDK clients: the JDK's URL-connection HTTP client (no Netty, no Apache client: a smaller jar and a
 * faster cold start); region, credentials and endpoint overrides from the SDK's own default chains.
 */
public final class AwsClients {
    private AwsClients() {}

    /** @return a new SQS client */
    public static SqsClient sqs() {
        return SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** @return a new Secrets Manager client */
    public static SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** @return a new DynamoDB client */
    public static DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }

    /** @return a new S3 client (an endpoint override on an IP address, such as a local moto, is served path-style) */
    public static S3Client s3() {
        return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).build();
    }
}
