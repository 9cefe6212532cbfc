package dev.sluice.azure.testing;

import dev.sluice.azure.ServiceBusMessaging;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.testcontainers.azure.ServiceBusEmulatorContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.mssqlserver.MSSQLServerContainer;

/**
 * The Service Bus emulator (Testcontainers) with its SQL Server, and {@link ServiceBusMessaging} on it: the one place
 * the emulator ITs start and stop it. Start it in a {@code @BeforeAll}; the test is skipped without Docker.
 */
public final class ServiceBusEmulator implements AutoCloseable {
    private final Network network;
    private final MSSQLServerContainer sql;
    private final ServiceBusEmulatorContainer emulator;
    private final ServiceBusMessaging messaging;

    private ServiceBusEmulator(String config) {
        network = Network.newNetwork();
        sql = new MSSQLServerContainer("mcr.microsoft.com/mssql/server:2022-CU14-ubuntu-22.04")
                .acceptLicense().withNetwork(network).withNetworkAliases("sqlserver");
        emulator = new ServiceBusEmulatorContainer("mcr.microsoft.com/azure-messaging/servicebus-emulator:latest")
                .acceptLicense().withConfig(Transferable.of(config)).withNetwork(network).withMsSqlServerContainer(sql);
        emulator.start();
        messaging = ServiceBusMessaging.withConnectionString(emulator.getConnectionString());
    }

    /**
     * A queue of the emulator's configuration: lock 30 s, messages live 1 hour, no duplicate detection.
     *
     * @param name the queue
     * @param maxDeliveryCount its MaxDeliveryCount
     * @param sessions whether it requires sessions
     * @param deadLetterOnExpiry whether expired messages are dead-lettered
     * @return the queue's JSON entry
     */
    public static String queue(String name, int maxDeliveryCount, boolean sessions, boolean deadLetterOnExpiry) {
        return """
                {"Name": "%s", "Properties": {"MaxDeliveryCount": %d, "LockDuration": "PT30S", "RequiresSession": %b,
                  "DeadLetteringOnMessageExpiration": %b, "DefaultMessageTimeToLive": "PT1H", "RequiresDuplicateDetection": false}}"""
                .formatted(name, maxDeliveryCount, sessions, deadLetterOnExpiry);
    }

    /**
     * Skips the calling test without Docker, else starts the emulator with these queues.
     *
     * @param queues entries made by {@link #queue}
     * @return the running emulator
     */
    public static ServiceBusEmulator start(String... queues) {
        Docker.assumeAvailable();
        String config = "{\"UserConfig\": {\"Namespaces\": [{\"Name\": \"sbemulatorns\", \"Queues\": ["
                + Arrays.stream(queues).collect(Collectors.joining(",")) + "]}], \"Logging\": {\"Type\": \"File\"}}}";
        return new ServiceBusEmulator(config);
    }

    /** @return the emulator's connection string */
    public String connectionString() {
        return emulator.getConnectionString();
    }

    /** @return messaging on the emulator (closed with it) */
    public ServiceBusMessaging messaging() {
        return messaging;
    }

    @Override
    public void close() {
        messaging.close();
        emulator.stop();
        sql.stop();
        network.close();
    }
}
