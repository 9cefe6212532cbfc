package dev.sluice.aws.testing;

import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SDK clients for the test engines, URL-connection HTTP client. The local engines get fixed test
 * credentials in us-east-1; an external endpoint ({@link Engines#DYNAMODB_ENDPOINT},
 * {@link Engines#SQS_ENDPOINT}) gets the default credentials chain and {@code AWS_REGION}.
 */
public final class AwsTestClients {
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    private AwsTestClients() {}

    /**
     * @param endpoint the DynamoDB endpoint (moto's, or an external one)
     * @param interceptors request counters, latency or failure injection
     * @return a client
     */
    public static DynamoDbClient dynamoDb(URI endpoint, ExecutionInterceptor... interceptors) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(region(endpoint)).credentialsProvider(credentials(endpoint))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.executionInterceptors(List.of(interceptors)))
                .build();
    }

    /**
     * @param endpoint the SQS endpoint (ElasticMQ's, or an external one)
     * @param interceptors request counters or failure injection
     * @return a client
     */
    public static SqsClient sqs(URI endpoint, ExecutionInterceptor... interceptors) {
        return SqsClient.builder().endpointOverride(endpoint).region(region(endpoint)).credentialsProvider(credentials(endpoint))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.executionInterceptors(List.of(interceptors)))
                .build();
    }

    /**
     * @param endpoint the Secrets Manager endpoint (moto's, or an external one)
     * @return a client
     */
    public static SecretsManagerClient secretsManager(URI endpoint) {
        return SecretsManagerClient.builder().endpointOverride(endpoint).region(region(endpoint)).credentialsProvider(credentials(endpoint))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /**
     * @param endpoint the S3 endpoint (moto's, or an external one)
     * @return a client with path-style access (moto serves buckets under its one host and port)
     */
    public static S3Client s3(URI endpoint) {
        return S3Client.builder().endpointOverride(endpoint).region(region(endpoint)).credentialsProvider(credentials(endpoint))
                .httpClient(UrlConnectionHttpClient.create())
                .forcePathStyle(true)
                .build();
    }

    private static AwsCredentialsProvider credentials(URI endpoint) {
        return Engines.isExternal(endpoint) ? DefaultCredentialsProvider.builder().build() : CREDENTIALS;
    }

    private static Region region(URI endpoint) {
        String region = System.getenv("AWS_REGION");
        return Engines.isExternal(endpoint) && region != null && !region.isBlank() ? Region.of(region) : Region.US_EAST_1;
    }
}
