package dev.sluice.aws.testing;

import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** SDK clients for the local engines: fixed test credentials, us-east-1, URL-connection HTTP client. */
public final class AwsTestClients {
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private AwsTestClients() {}

    /**
     * @param endpoint DynamoDB Local's endpoint
     * @param interceptors request counters, latency or failure injection
     * @return a client
     */
    public static DynamoDbClient dynamoDb(URI endpoint, ExecutionInterceptor... interceptors) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.executionInterceptors(List.of(interceptors)))
                .build();
    }

    /**
     * @param endpoint ElasticMQ's endpoint
     * @param interceptors request counters or failure injection
     * @return a client
     */
    public static SqsClient sqs(URI endpoint, ExecutionInterceptor... interceptors) {
        return SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.executionInterceptors(List.of(interceptors)))
                .build();
    }
}
