package dev.sluice.cli.internal;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The demo's engines, on free loopback ports: ElasticMQ embedded, and DynamoDB Local as a child JVM whose
 * jars the build puts in {@code demo-lib/} beside {@code sluice.jar} (DynamoDB Local has AWS's own licence,
 * so it is never packed into the jar). {@link #close()} stops both.
 */
public final class DemoEngines implements AutoCloseable {
    private static final String DYNAMODB_LOCAL_MAIN = "com.amazonaws.services.dynamodbv2.local.main.ServerRunner";

    private final SQSRestServer elasticMq;
    private final URI sqsEndpoint;
    private final Process dynamoDbLocal;
    private final URI dynamoDbEndpoint;

    private DemoEngines(SQSRestServer elasticMq, URI sqsEndpoint, Process dynamoDbLocal, URI dynamoDbEndpoint) {
        this.elasticMq = elasticMq;
        this.sqsEndpoint = sqsEndpoint;
        this.dynamoDbLocal = dynamoDbLocal;
        this.dynamoDbEndpoint = dynamoDbEndpoint;
    }

    /**
     * @param demoLib the directory holding DynamoDB Local's jars and {@code native/}
     * @return started engines, ready for requests
     */
    public static DemoEngines start(Path demoLib) {
        if (!Files.isDirectory(demoLib)) {
            throw new IllegalStateException("DynamoDB Local is not installed at " + demoLib
                    + ": build the CLI with ./mvnw install -DskipTests (it copies DynamoDB Local into cli/target/demo-lib)");
        }
        int dynamoPort = freePort();
        Process dynamo;
        File log;
        try {
            log = Files.createTempFile("sluice-demo-dynamodb", ".log").toFile();
            log.deleteOnExit();
            dynamo = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED",
                    "-Dsqlite4java.library.path=" + demoLib.resolve("native").toAbsolutePath(),
                    "-cp", demoLib.toAbsolutePath() + File.separator + "*",
                    DYNAMODB_LOCAL_MAIN, "-inMemory", "-port", Integer.toString(dynamoPort), "-disableTelemetry"))
                    .redirectErrorStream(true).redirectOutput(log).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start DynamoDB Local", e);
        }
        SQSRestServer sqs = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort()
                .withAWSRegion("us-east-1").withAWSAccountId("000000000000").start();
        int sqsPort = sqs.waitUntilStarted().localAddress().getPort();
        DemoEngines engines = new DemoEngines(sqs, URI.create("http://127.0.0.1:" + sqsPort), dynamo,
                URI.create("http://127.0.0.1:" + dynamoPort));
        engines.awaitDynamoDb(Duration.ofSeconds(60), log);
        return engines;
    }

    private void awaitDynamoDb(Duration timeout, File log) {
        Instant until = Instant.now().plus(timeout);
        try (DynamoDbClient client = dynamoDb()) {
            while (Instant.now().isBefore(until)) {
                if (!dynamoDbLocal.isAlive()) {
                    close();
                    throw new IllegalStateException("DynamoDB Local exited: " + read(log));
                }
                try {
                    client.listTables();
                    return;
                } catch (RuntimeException notYet) {
                    sleep(Duration.ofMillis(100));
                }
            }
        }
        close();
        throw new IllegalStateException("DynamoDB Local did not start within " + timeout + ": " + read(log));
    }

    /** @return an SQS client on ElasticMQ */
    public SqsClient sqs() {
        return SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("demo", "demo")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    /** @return a DynamoDB client on DynamoDB Local */
    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().endpointOverride(dynamoDbEndpoint).region(Region.US_EAST_1)
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
        }
        dynamoDbLocal.destroy();
        try {
            if (!dynamoDbLocal.waitFor(10, TimeUnit.SECONDS)) {
                dynamoDbLocal.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port", e);
        }
    }

    private static String read(File log) {
        try {
            return Files.readString(log.toPath());
        } catch (IOException e) {
            return "(no log)";
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
