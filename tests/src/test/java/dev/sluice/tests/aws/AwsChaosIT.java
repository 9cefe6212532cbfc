package dev.sluice.tests.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.aws.testing.AwsTestClients;
import dev.sluice.aws.testing.Engines;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.tests.aws.ChaosLedger.Plan;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Chaos on the AWS path (ElasticMQ FIFO queue with a redrive policy, DynamoDB on moto, four local event source
 * mappings): producer duplicates, transient failures, poison and crashes between effect and acknowledgement.
 * The ledger, kept outside the system, checks that nothing is lost, that groups keep their order and that
 * effects are applied once (transactional) or doubled only where a crash explains it (guard).
 */
@ExtendWith(Engines.class)
class AwsChaosIT {
    static final int GUARD_MESSAGES = Integer.getInteger("sluice.chaos.guard.messages", 10_000);
    static final int TRANSACTIONAL_MESSAGES = Integer.getInteger("sluice.chaos.transactional.messages", 3_000);
    // both runs take about 265 s together on 2 idle cores (guard mode the most); the limit leaves room for a busy machine
    static final Duration TIMEOUT = Duration.ofMinutes(6);

    private SqsClient sqs;
    private DynamoDbClient dynamo;

    @BeforeEach
    void setUp() {
        sqs = AwsTestClients.sqs(Engines.sqs());
        dynamo = AwsTestClients.dynamoDb(Engines.dynamoDb());
    }

    @AfterEach
    void tearDown() {
        sqs.close();
        dynamo.close();
    }

    @Test
    void guardMode_losesNothing_keepsGroupOrder_andEveryDoubleEffectFollowsACrashAfterTheEffect() throws Exception {
        // GIVEN a FIFO queue with 50 groups, four consumer instances in guard mode, and a ledger's plan for 10,000 sends
        ChaosRun run = new ChaosRun(Engines.sqs(), sqs, dynamo, IdempotencyMode.GUARD);
        // WHEN everything is sent and consumed until the queue is empty
        boolean drained = run.run(GUARD_MESSAGES, 20_240_601L, TIMEOUT);
        ChaosLedger ledger = run.ledger;
        Map<String, Integer> effects = ledger.effectCounts();
        System.out.println(ledger.summary("AWS guard mode, " + GUARD_MESSAGES + " messages", effects, run.retries()));

        // THEN the queue drained and no message was lost: each was acknowledged or is in the DLQ with a reason
        assertThat(drained).as("queue drained").isTrue();
        assertThat(ledger.sent()).hasSize(GUARD_MESSAGES);
        assertThat(ledger.lost(effects)).as("lost").isEmpty();
        assertCommon(ledger, effects.keySet());
        // AND every double effect is explained by a crash after the effect (and crashes did cause some)
        assertThat(ledger.unexplainedDoubles(effects)).as("double effects no crash explains").isEmpty();
        assertThat(effects.values().stream().mapToInt(n -> n - 1).sum()).as("double effects from crashes").isPositive();
        // AND each group's first effects follow the group's send order
        assertThat(ledger.firstEffectOrderByGroup()).isEqualTo(ledger.expectedOrderByGroup());
    }

    @Test
    void transactionalMode_losesNothing_keepsGroupOrder_andAppliesNoEffectTwice() throws Exception {
        // GIVEN the same chaos in transactional mode: the effect is a DynamoDB write committed with the record
        ChaosRun run = new ChaosRun(Engines.sqs(), sqs, dynamo, IdempotencyMode.TRANSACTIONAL);
        // WHEN everything is sent and consumed until the queue is empty
        boolean drained = run.run(TRANSACTIONAL_MESSAGES, 20_240_602L, TIMEOUT);
        ChaosLedger ledger = run.ledger;
        Map<String, Integer> effects = run.committedEffects();
        System.out.println(ledger.summary("AWS transactional mode, " + TRANSACTIONAL_MESSAGES + " messages", effects, run.retries()));

        // THEN nothing was lost
        assertThat(drained).as("queue drained").isTrue();
        assertThat(ledger.sent()).hasSize(TRANSACTIONAL_MESSAGES);
        assertThat(ledger.lost(effects)).as("lost").isEmpty();
        assertCommon(ledger, effects.keySet());
        // AND no effect committed twice, crashes included
        assertThat(effects).as("effects applied more than once")
                .allSatisfy((key, applied) -> assertThat(applied).as(key).isEqualTo(1));
        // AND each group's commits follow the group's send order
        assertThat(run.committedOrderByGroup()).isEqualTo(ledger.expectedOrderByGroup());
    }

    static void assertCommon(ChaosLedger ledger, Set<String> appliedKeys) {
        // the chaos really happened
        assertThat(ledger.sent()).anySatisfy(s -> assertThat(s.producerDuplicate()).isTrue());
        assertThat(ledger.crashedInvocations()).as("crashed invocations").isPositive();
        // every key that is not poison was applied; nothing else was
        assertThat(appliedKeys).isEqualTo(ledger.keysToApply());
        // the DLQ holds exactly the poison sends as POISON and the always-failing ones as EXHAUSTED, nothing the queue
        // moved without a reason
        Map<String, String> expectedKinds = ledger.sent().stream()
                .filter(s -> s.plan() == Plan.POISON || s.plan() == Plan.EXHAUSTING)
                .collect(Collectors.toMap(ChaosLedger.Sent::messageId, s -> s.plan() == Plan.POISON ? "POISON" : "EXHAUSTED"));
        assertThat(expectedKinds).containsValues("POISON", "EXHAUSTED");
        assertThat(ledger.deadLetterKinds()).isEqualTo(expectedKinds);
        assertThat(ledger.deadLettersWithoutEnvelope()).isZero();
        // AND each EXHAUSTED dead letter came after exactly the configured number of handler executions
        assertThat(ledger.executionsBehindExhausted()).isNotEmpty()
                .allSatisfy((key, executions) -> assertThat(executions).as(key).isEqualTo(ChaosRun.MAX_ATTEMPTS));
    }
}
