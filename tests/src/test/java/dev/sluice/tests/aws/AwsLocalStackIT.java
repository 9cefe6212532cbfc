package dev.sluice.tests.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.core.idempotency.IdempotencyMode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The AWS chaos scenarios on LocalStack (SQS and DynamoDB) through Testcontainers, where Docker exists; skipped
 * by assumption otherwise. Smaller runs than on ElasticMQ: LocalStack is slower per request.
 */
class AwsLocalStackIT {
    private static LocalStackContainer localStack;
    private static SqsClient sqs;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void start() {
        assumeTrue(dockerAvailable(), "Docker is not available: the LocalStack variant is skipped");
        localStack = new LocalStackContainer("localstack/localstack:4.4").withServices("sqs", "dynamodb");
        localStack.start();
        sqs = AwsTestClients.sqs(localStack.getEndpoint());
        dynamo = AwsTestClients.dynamoDb(localStack.getEndpoint());
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            return false;
        }
    }

    @AfterAll
    static void stop() {
        if (sqs != null) {
            sqs.close();
            dynamo.close();
        }
        if (localStack != null) {
            localStack.stop();
        }
    }

    @Test
    void guardModeChaos_onLocalStack_losesNothing_andEveryDoubleEffectFollowsACrash() throws Exception {
        // GIVEN the chaos run of AwsChaosIT, against LocalStack
        ChaosRun run = new ChaosRun(localStack.getEndpoint(), sqs, dynamo, IdempotencyMode.GUARD);
        // WHEN 2,000 messages are sent and consumed
        boolean drained = run.run(2_000, 7L, Duration.ofMinutes(4));
        Map<String, Integer> effects = run.ledger.effectCounts();
        System.out.println(run.ledger.summary("LocalStack guard mode, 2000 messages", effects, run.retries()));
        // THEN the same invariants hold
        assertThat(drained).isTrue();
        assertThat(run.ledger.lost(effects)).isEmpty();
        AwsChaosIT.assertCommon(run.ledger, effects.keySet());
        assertThat(run.ledger.unexplainedDoubles(effects)).isEmpty();
        assertThat(run.ledger.firstEffectOrderByGroup()).isEqualTo(run.ledger.expectedOrderByGroup());
    }

    @Test
    void transactionalModeChaos_onLocalStack_appliesNoEffectTwice() throws Exception {
        // GIVEN the transactional chaos run, against LocalStack
        ChaosRun run = new ChaosRun(localStack.getEndpoint(), sqs, dynamo, IdempotencyMode.TRANSACTIONAL);
        // WHEN 1,000 messages are sent and consumed
        boolean drained = run.run(1_000, 8L, Duration.ofMinutes(4));
        Map<String, Integer> effects = run.committedEffects();
        System.out.println(run.ledger.summary("LocalStack transactional mode, 1000 messages", effects, run.retries()));
        // THEN nothing is lost, nothing applied twice, and groups keep their order
        assertThat(drained).isTrue();
        assertThat(run.ledger.lost(effects)).isEmpty();
        AwsChaosIT.assertCommon(run.ledger, effects.keySet());
        assertThat(effects).allSatisfy((key, applied) -> assertThat(applied).as(key).isEqualTo(1));
        assertThat(run.committedOrderByGroup()).isEqualTo(run.ledger.expectedOrderByGroup());
    }
}
