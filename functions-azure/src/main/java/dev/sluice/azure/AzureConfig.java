package dev.sluice.azure;

import dev.sluice.core.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The Azure settings Sluice needs beside {@link dev.sluice.core.config.SluiceConfig}: where Service Bus and
 * Cosmos DB are and how to authenticate. The Service Bus settings are the ones the trigger binding reads
 * for {@code connection = "ServiceBusConnection"}, so one app setting feeds both. Managed identity
 * ({@code ServiceBusConnection__fullyQualifiedNamespace}, no Cosmos key) is the production path; a
 * connection string and a Cosmos key are for local emulators. Every value is checked when loaded; a bad
 * one fails start-up with a {@link ConfigurationException} naming the variable.
 */
public final class AzureConfig {
    /** Service Bus connection string (local development only). */
    public static final String SERVICEBUS_CONNECTION = "ServiceBusConnection";
    /** Service Bus namespace host, e.g. {@code orders.servicebus.windows.net} (managed identity). */
    public static final String SERVICEBUS_NAMESPACE = "ServiceBusConnection__fullyQualifiedNamespace";
    /** Client id of a user-assigned managed identity (optional; system-assigned otherwise). */
    public static final String SERVICEBUS_CLIENT_ID = "ServiceBusConnection__clientId";
    /** Cosmos DB account endpoint, e.g. {@code https://orders.documents.azure.com:443/}. */
    public static final String COSMOS_ENDPOINT = "COSMOS_ENDPOINT";
    /** Cosmos DB database holding the idempotency container. */
    public static final String COSMOS_DATABASE = "COSMOS_DATABASE";
    /** Cosmos DB account key (local emulators only; managed identity otherwise). */
    public static final String COSMOS_KEY = "COSMOS_KEY";
    /** How long one invocation may run, in seconds; keep it at host.json's functionTimeout (default 600). */
    public static final String SLUICE_INVOCATION_TIMEOUT_SECONDS = "SLUICE_INVOCATION_TIMEOUT_SECONDS";

    private final @Nullable String serviceBusNamespace;
    private final @Nullable String serviceBusConnectionString;
    private final @Nullable String managedIdentityClientId;
    private final @Nullable URI cosmosEndpoint;
    private final @Nullable String cosmosDatabase;
    private final @Nullable String cosmosKey;
    private final Duration invocationTimeout;

    private AzureConfig(Map<String, String> env) {
        this.serviceBusNamespace = optional(env, SERVICEBUS_NAMESPACE);
        this.serviceBusConnectionString = optional(env, SERVICEBUS_CONNECTION);
        this.managedIdentityClientId = optional(env, SERVICEBUS_CLIENT_ID);
        if (serviceBusNamespace == null && serviceBusConnectionString == null) {
            throw new ConfigurationException(SERVICEBUS_NAMESPACE,
                    "is required (or " + SERVICEBUS_CONNECTION + " with a connection string for local development)");
        }
        if (serviceBusNamespace != null
                && (serviceBusNamespace.contains("://") || serviceBusNamespace.contains("/") || !serviceBusNamespace.contains("."))) {
            throw new ConfigurationException(SERVICEBUS_NAMESPACE,
                    "expected a host name such as orders.servicebus.windows.net, got '" + serviceBusNamespace + "'");
        }
        if (serviceBusNamespace == null && !Objects.requireNonNull(serviceBusConnectionString).contains("Endpoint=")) {
            // never echo the value: it holds a key
            throw new ConfigurationException(SERVICEBUS_CONNECTION, "is not a Service Bus connection string (no Endpoint=)");
        }
        String endpoint = optional(env, COSMOS_ENDPOINT);
        this.cosmosEndpoint = endpoint == null ? null : uri(endpoint);
        this.cosmosDatabase = optional(env, COSMOS_DATABASE);
        if (cosmosEndpoint != null && cosmosDatabase == null) {
            throw new ConfigurationException(COSMOS_DATABASE, "is required when " + COSMOS_ENDPOINT + " is set");
        }
        this.cosmosKey = optional(env, COSMOS_KEY);
        this.invocationTimeout = Duration.ofSeconds(seconds(env, SLUICE_INVOCATION_TIMEOUT_SECONDS, 600));
    }

    /**
     * Loads from the process environment (Function App settings arrive as environment variables); the
     * only place the Azure adapter reads {@code System.getenv}.
     *
     * @return the settings
     * @throws ConfigurationException naming the first missing or bad variable
     */
    public static AzureConfig fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * @param environment variables, e.g. a test's map
     * @return the settings
     * @throws ConfigurationException naming the first missing or bad variable
     */
    public static AzureConfig from(Map<String, String> environment) {
        return new AzureConfig(Objects.requireNonNull(environment, "environment"));
    }

    /** @return the Service Bus namespace host, when managed identity is used */
    public Optional<String> serviceBusNamespace() {
        return Optional.ofNullable(serviceBusNamespace);
    }

    /** @return the Service Bus connection string, when one is configured instead of managed identity */
    public Optional<String> serviceBusConnectionString() {
        return Optional.ofNullable(serviceBusConnectionString);
    }

    /** @return the client id of a user-assigned managed identity, if set */
    public Optional<String> managedIdentityClientId() {
        return Optional.ofNullable(managedIdentityClientId);
    }

    /** @return the Cosmos DB endpoint, if configured */
    public Optional<URI> cosmosEndpoint() {
        return Optional.ofNullable(cosmosEndpoint);
    }

    /** @return the Cosmos DB database, if configured */
    public Optional<String> cosmosDatabase() {
        return Optional.ofNullable(cosmosDatabase);
    }

    /** @return the Cosmos DB key (emulators), if set */
    public Optional<String> cosmosKey() {
        return Optional.ofNullable(cosmosKey);
    }

    /** @return how long one invocation may run */
    public Duration invocationTimeout() {
        return invocationTimeout;
    }

    @Override
    public String toString() {
        // never the connection string or the key
        return "AzureConfig[serviceBus=" + (serviceBusNamespace != null ? serviceBusNamespace : "(connection string)")
                + ", cosmos=" + cosmosEndpoint + "/" + cosmosDatabase + ", auth="
                + (cosmosKey == null ? "managed identity" : "key") + ", invocationTimeout=" + invocationTimeout + "]";
    }

    private static @Nullable String optional(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static URI uri(String value) {
        try {
            URI uri = new URI(value);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigurationException(COSMOS_ENDPOINT, "expected an https:// URL, got '" + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigurationException(COSMOS_ENDPOINT, "expected an https:// URL, got '" + value + "'");
        }
    }

    private static long seconds(Map<String, String> env, String name, long defaultValue) {
        String value = optional(env, name);
        if (value == null) {
            return defaultValue;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 1 || parsed > 86_400) {
                throw new ConfigurationException(name, "expected a whole number of seconds between 1 and 86400, got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "expected a whole number of seconds, got '" + value + "'");
        }
    }
}
