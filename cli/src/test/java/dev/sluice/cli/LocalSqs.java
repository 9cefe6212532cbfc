package dev.sluice.cli;

import java.net.URI;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** An embedded ElasticMQ on a free loopback port and a client for it, for the CLI's SQS tests. */
final class LocalSqs implements AutoCloseable {
    private final SQSRestServer server;
    final URI endpoint;
    final SqsClient sqs;

    private LocalSqs(SQSRestServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
        this.sqs = SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    static LocalSqs start() {
        SQSRestServer server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().withAWSRegion("us-east-1")
                .withAWSAccountId("000000000000").start();
        return new LocalSqs(server, URI.create("http://127.0.0.1:" + server.waitUntilStarted().localAddress().getPort()));
    }

    @Override
    public void close() {
        sqs.close();
        server.stopAndWait();
    }
}
