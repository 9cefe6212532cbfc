package dev.sluice.azure.cosmos;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.CosmosContainer;
import dev.sluice.azure.testing.Docker;
import dev.sluice.azure.testing.LocalCosmos;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.containers.CosmosDBEmulatorContainer;
import org.testcontainers.utility.DockerImageName;

/** {@link CosmosIdempotencyStoreContract} on the Cosmos DB emulator (Testcontainers); skipped without Docker. */
class CosmosIdempotencyStoreEmulatorIT extends CosmosIdempotencyStoreContract {
    private static CosmosDBEmulatorContainer emulator;
    private static CosmosClient client;

    @BeforeAll
    static void startEmulator() {
        Docker.assumeAvailable();
        emulator = new CosmosDBEmulatorContainer(
                DockerImageName.parse("mcr.microsoft.com/cosmosdb/linux/azure-cosmos-emulator:latest"));
        emulator.start();
        client = new CosmosClientBuilder()
                .endpoint(emulator.getEmulatorEndpoint())
                .key(emulator.getEmulatorKey())
                .gatewayMode()
                .endpointDiscoveryEnabled(false)
                .buildClient();
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

    @Override
    CosmosContainer newContainer() {
        return LocalCosmos.newContainer(client, "sluice");
    }

    @Override
    void advanceEngineClock(Duration duration) {
        // the emulator's TTL runs on its own clock in the background; waiting for it is not worth a slow test
        assumeTrue(false, "the emulator's TTL clock cannot be moved");
    }
}
