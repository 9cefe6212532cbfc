package dev.sluice.aws.testing;

import java.net.URI;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts DynamoDB Local and ElasticMQ once per test run, on free loopback ports, and stops them when the
 * run ends (JUnit closes root-store values). Tests use their own tables and queues (unique names).
 */
public final class Engines implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Engines.class);
    private static volatile Running running;

    /** Both engines, closed together. */
    static final class Running implements AutoCloseable {
        final DynamoDbLocalProcess dynamo;
        final ElasticMqServer sqs;

        Running() {
            this.sqs = ElasticMqServer.start();
            this.dynamo = DynamoDbLocalProcess.start();
        }

        @Override
        public void close() {
            try {
                sqs.close();
            } finally {
                dynamo.close();
                running = null;
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        running = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("engines", k -> new Running(), Running.class);
    }

    /** @return DynamoDB Local's endpoint */
    public static URI dynamoDb() {
        return require().dynamo.endpoint();
    }

    /** @return ElasticMQ's endpoint */
    public static URI sqs() {
        return require().sqs.endpoint();
    }

    private static Running require() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(Engines.class)");
        }
        return r;
    }
}
