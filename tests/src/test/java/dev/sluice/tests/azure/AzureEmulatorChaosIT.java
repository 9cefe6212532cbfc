package dev.sluice.tests.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosClientBuilder;
import dev.sluice.azure.testing.Docker;
import dev.sluice.azure.testing.LocalCosmos;
import dev.sluice.core.idempotency.IdempotencyMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.CosmosDBEmulatorContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Docker column: the chaos scenarios with idempotency and transactional effects on the Cosmos DB
 * emulator instead of the local server (the broker model and the crashing host stay). Skipped without Docker.
 */
class AzureEmulatorChaosIT {
    private static CosmosDBEmulatorContainer emulator;
    private static CosmosClient client;

    @BeforeAll
    static void startEmulator() {
        Docker.assumeAvailable();
        emulator = new CosmosDBEmulatorContainer(
                DockerImageName.parse("mcr.microsoft.com/cosmosdb/linux/azure-cosmos-emulator:latest"));
        emulator.start();
        client = new CosmosClientBuilder().endpoint(emulator.getEmulatorEndpoint()).key(emulator.getEmulatorKey())
                .gatewayMode().endpointDiscoveryEnabled(false).buildClient();
    }

    @AfterAll
    static void stopEmulator() {
        if (client != null) {
            client.close();
        }
        if (emulator != null) {
            emulator.stop();
        }
    }

    @Test
    void guardMode_onTheEmulator_nothingLost_everyDoubleEffectExplained() {
        // GIVEN 1,000 orders with the chaos mix, idempotency on the Cosmos DB emulator
        AzureChaosIT.Run run = new AzureChaosIT.Run(ChaosLedger.plan(1_000, AzureChaosIT.PER_SESSION, 11),
                IdempotencyMode.GUARD, LocalCosmos.newContainer(client, "sluice-chaos"));

        // WHEN the host drains the queue
        run.sendAndDrain();
        run.print("Azure chaos on the Cosmos DB emulator, guard mode");

        // THEN the ledger's invariants hold
        assertThat(run.broker.messages(AzureChaosIT.QUEUE)).isEmpty();
        assertThat(run.ledger.lost()).isEmpty();
        AzureChaosIT.assertEndStateOfEveryKind(run.ledger);
        assertThat(run.ledger.orderViolations()).isEmpty();
        assertThat(run.ledger.unexplainedDoubleEffects()).isEmpty();
    }

    @Test
    void transactionalMode_onTheEmulator_noEffectAppliedTwice() {
        // GIVEN 500 orders with the chaos mix, effects committed with the idempotency record on the emulator
        AzureChaosIT.Run run = new AzureChaosIT.Run(ChaosLedger.plan(500, AzureChaosIT.PER_SESSION, 13),
                IdempotencyMode.TRANSACTIONAL, LocalCosmos.newContainer(client, "sluice-chaos"));

        // WHEN the host drains the queue and the effects are read back
        run.sendAndDrain();
        run.readEffectsFromCosmos();
        run.print("Azure chaos on the Cosmos DB emulator, transactional mode");

        // THEN nothing is lost and no effect was committed twice
        assertThat(run.ledger.lost()).isEmpty();
        AzureChaosIT.assertEndStateOfEveryKind(run.ledger);
        assertThat(run.ledger.effects).allSatisfy((key, n) -> assertThat(n.get()).as(key).isEqualTo(1));
    }
}
