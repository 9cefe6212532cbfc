package dev.sluice.aws.testing;

import dev.sluice.aws.local.MotoServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The AWS engines of a test run: ElasticMQ (embedded) for SQS and moto's server (a child process from the
 * build's virtual environment) for DynamoDB, each started once per JVM on a free loopback port and stopped
 * when the run ends (JUnit closes root-store values). Tests use their own tables and queues (unique names).
 *
 * <p>{@value #DYNAMODB_ENDPOINT} and {@value #SQS_ENDPOINT} point the same tests at another endpoint (real
 * AWS, LocalStack) instead; that engine is then not started. A local engine that cannot start fails the run
 * with its log: it is never a silent skip.
 */
public final class Engines implements BeforeAllCallback {
    /** Environment variable: a DynamoDB endpoint to test against instead of moto. */
    public static final String DYNAMODB_ENDPOINT = "SLUICE_TEST_DYNAMODB_ENDPOINT";
    /** Environment variable: an SQS endpoint to test against instead of ElasticMQ. */
    public static final String SQS_ENDPOINT = "SLUICE_TEST_SQS_ENDPOINT";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Engines.class);
    private static volatile @Nullable Running running;

    /** The engines of one run, closed together. */
    static final class Running implements AutoCloseable {
        private final @Nullable ElasticMqServer elasticMq;
        private final @Nullable MotoServer moto;
        final URI sqs;
        final URI dynamoDb;

        Running() {
            Optional<URI> externalSqs = external(SQS_ENDPOINT);
            Optional<URI> externalDynamoDb = external(DYNAMODB_ENDPOINT);
            this.elasticMq = externalSqs.isPresent() ? null : ElasticMqServer.start();
            try {
                this.moto = externalDynamoDb.isPresent() ? null : MotoServer.start(motoExecutable());
            } catch (RuntimeException e) {
                if (elasticMq != null) {
                    elasticMq.close();
                }
                throw e;
            }
            this.sqs = externalSqs.orElseGet(() -> elasticMq.endpoint());
            this.dynamoDb = externalDynamoDb.orElseGet(() -> moto.endpoint());
        }

        @Override
        public void close() {
            try {
                if (elasticMq != null) {
                    elasticMq.close();
                }
            } finally {
                if (moto != null) {
                    moto.close();
                }
                running = null;
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        running = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("engines", k -> new Running(), Running.class);
    }

    /** @return the DynamoDB endpoint: moto, or {@value #DYNAMODB_ENDPOINT} */
    public static URI dynamoDb() {
        return require().dynamoDb;
    }

    /** @return the Secrets Manager endpoint: moto (it serves every service it knows on one port), or {@value #DYNAMODB_ENDPOINT} */
    public static URI secretsManager() {
        return require().dynamoDb;
    }

    /** @return the S3 endpoint: moto (it serves every service it knows on one port), or {@value #DYNAMODB_ENDPOINT} */
    public static URI s3() {
        return require().dynamoDb;
    }

    /** @return the SQS endpoint: ElasticMQ, or {@value #SQS_ENDPOINT} */
    public static URI sqs() {
        return require().sqs;
    }

    /** @return whether {@code endpoint} is one of the external endpoints named by the environment */
    static boolean isExternal(URI endpoint) {
        return external(SQS_ENDPOINT).filter(endpoint::equals).isPresent()
                || external(DYNAMODB_ENDPOINT).filter(endpoint::equals).isPresent();
    }

    /**
     * @return the build's {@code sluice-moto-server} (the surefire property the poms set, else found from
     *     the working directory upwards)
     */
    public static Path motoExecutable() {
        String configured = System.getProperty(MotoServer.EXECUTABLE_PROPERTY, System.getenv(MotoServer.EXECUTABLE_VARIABLE));
        return MotoServer.locate(configured, Path.of("")).orElseThrow(() -> new IllegalStateException(
                "sluice-moto-server not found: the build installs it with tools/moto/install.sh into target/moto "
                        + "(or set " + MotoServer.EXECUTABLE_VARIABLE + ")"));
    }

    private static Optional<URI> external(String variable) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(URI.create(value.strip()));
    }

    private static Running require() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(Engines.class)");
        }
        return r;
    }
}
