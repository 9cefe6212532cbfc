package dev.sluice.azure.testing;

import com.azure.cosmos.ConsistencyLevel;
import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.cosmos.CosmosContainer;
import com.azure.cosmos.CosmosDatabase;
import com.azure.cosmos.models.CosmosContainerProperties;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LocalCosmosServer} and one Java SDK client (gateway mode) per test run, kept in JUnit's root
 * store so they are closed when the run ends.
 */
public final class LocalCosmos implements AutoCloseable {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalCosmos.class);

    private final LocalCosmosServer server;
    private final CosmosClient client;

    private LocalCosmos(LocalCosmosServer server) {
        this.server = server;
        this.client = new CosmosClientBuilder()
                .endpoint(server.endpoint().toString())
                .key(LocalCosmosServer.EMULATOR_KEY)
                .gatewayMode()
                .consistencyLevel(ConsistencyLevel.SESSION)
                .endpointDiscoveryEnabled(false)
                .buildClient();
    }

    /**
     * @param context any extension context of the run
     * @return the run's server and client, started on first use
     */
    public static LocalCosmos of(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(LocalCosmos.class, k -> new LocalCosmos(LocalCosmosServer.start()), LocalCosmos.class);
    }

    /** @return the SDK client */
    public CosmosClient client() {
        return client;
    }

    /** @return the server */
    public LocalCosmosServer server() {
        return server;
    }

    /**
     * @param database a database (created if missing)
     * @return a new idempotency container: partition key {@code /pk}, TTL on with default -1
     */
    public CosmosContainer newContainer(String database) {
        return newContainer(client, database);
    }

    /**
     * @param client a client
     * @param database a database (created if missing)
     * @return a new idempotency container: partition key {@code /pk}, TTL on with default -1
     */
    public static CosmosContainer newContainer(CosmosClient client, String database) {
        client.createDatabaseIfNotExists(database);
        CosmosDatabase db = client.getDatabase(database);
        String name = "idem-" + UUID.randomUUID().toString().substring(0, 8);
        CosmosContainerProperties properties = new CosmosContainerProperties(name, "/pk");
        properties.setDefaultTimeToLiveInSeconds(-1);
        db.createContainer(properties);
        return db.getContainer(name);
    }

    /** @param duration how far to move the server's TTL clock */
    public void advanceTtlClock(Duration duration) {
        server.advanceTtlClock(duration);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.close();
        }
    }
}
