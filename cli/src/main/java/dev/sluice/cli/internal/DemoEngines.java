package dev.sluice.cli.internal;

import dev.sluice.aws.local.MotoServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The demo's engines, on free loopback ports: ElasticMQ embedded, and moto's server (DynamoDB) as a child
 * process from the Python virtual environment the build creates. {@link #close()} stops both.
 */
public final class DemoEngines implements AutoCloseable {
    private final SQSRestServer elasticMq;
    private final URI sqsEndpoint;
    private final MotoServer moto;

    private DemoEngines(SQSRestServer elasticMq, URI sqsEndpoint, MotoServer moto) {
        this.elasticMq = elasticMq;
        this.sqsEndpoint = sqsEndpoint;
        this.moto = moto;
    }

    /**
     * @param motoServer the {@code sluice-moto-server} executable of the build's virtual environment
     * @return started engines, ready for requests
     */
    public static DemoEngines start(Path motoServer) {
        MotoServer moto = MotoServer.start(motoServer);
        try {
            SQSRestServer sqs = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort()
                    .withAWSRegion("us-east-1").withAWSAccountId("000000000000").start();
            int sqsPort = sqs.waitUntilStarted().localAddress().getPort();
            return new DemoEngines(sqs, URI.create("http://127.0.0.1:" + sqsPort), moto);
        } catch (RuntimeException e) {
            moto.close();
            throw e;
        }
    }

    /** @return an SQS client on ElasticMQ */
    public SqsClient sqs() {
        return SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** @return a DynamoDB client on moto */
    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** @return the SQS endpoint, e.g. for {@code sluice dlq --endpoint} */
    public URI sqsEndpoint() {
        return sqsEndpoint;
    }

    @Override
    public void close() {
        try {
            elasticMq.stopAndWait();
        } catch (RuntimeException ignored) {
            // stopping is best effort
        } finally {
            moto.close();
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
