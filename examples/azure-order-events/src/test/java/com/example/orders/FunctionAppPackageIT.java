package com.example.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The function app folder that {@code azure-functions:package} generated in the {@code package} phase
 * (run by failsafe in {@code integration-test}): what the Functions host will read after deployment.
 */
class FunctionAppPackageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path app = Path.of(System.getProperty("functionAppDir", "target/azure-functions/azure-order-events"));

    private JsonNode read(String file) throws IOException {
        return JSON.readTree(Files.readString(app.resolve(file)));
    }

    @Test
    void functionJson_declaresABatchedServiceBusTrigger_onTheConfiguredQueueAndConnection() throws IOException {
        // GIVEN the generated OrderEvents/function.json
        JsonNode function = read("OrderEvents/function.json");

        // WHEN its trigger binding is read
        JsonNode trigger = function.path("bindings").get(0);

        // THEN it is a Service Bus queue trigger delivering batches of bodies as bytes to OrderEventsFunction.run
        assertThat(function.path("bindings")).hasSize(1);
        assertThat(trigger.path("type").asText()).isEqualTo("serviceBusTrigger");
        assertThat(trigger.path("direction").asText()).isEqualTo("in");
        // the plugin writes the enum name; the host reads cardinality case-insensitively
        assertThat(trigger.path("cardinality").asText()).isEqualToIgnoringCase("many");
        assertThat(trigger.path("queueName").asText()).isEqualTo("%QUEUE_NAME%");
        assertThat(trigger.path("connection").asText()).isEqualTo("ServiceBusConnection");
        // binary: the host hands the worker a CollectionBytes, which the Java worker binds to byte[][], exact bytes
        assertThat(trigger.path("dataType").asText()).isEqualTo("binary");
        assertThat(function.path("entryPoint").asText()).isEqualTo(OrderEventsFunction.class.getName() + ".run");
        assertThat(app.resolve("OrderEvents").resolve(function.path("scriptFile").asText()).normalize()).exists();
    }

    @Test
    void hostJson_declaresTheExtensionBundle_andServiceBusSettingsWithoutPrefetchSurprises() throws IOException {
        // GIVEN the host.json copied into the app folder
        JsonNode host = read("host.json");

        // WHEN its Service Bus extension settings are read
        JsonNode serviceBus = host.path("extensions").path("serviceBus");

        // THEN the bundle is declared, batches are bounded, nothing is prefetched beyond a lock, and the host
        // completes on return and abandons on a throw, renewing locks for as long as an invocation may run
        assertThat(host.path("version").asText()).isEqualTo("2.0");
        assertThat(host.path("extensionBundle").path("id").asText()).isEqualTo("Microsoft.Azure.Functions.ExtensionBundle");
        assertThat(serviceBus.path("prefetchCount").asInt(-1)).isZero();
        assertThat(serviceBus.path("autoCompleteMessages").asBoolean(false)).isTrue();
        assertThat(serviceBus.path("maxMessageBatchSize").asInt()).isBetween(1, 100);
        assertThat(serviceBus.path("maxAutoLockRenewalDuration").asText()).isEqualTo(host.path("functionTimeout").asText());
    }

    @Test
    void appFolder_holdsTheFunctionJar_itsSettings_andSluiceWithTheAzureSdks() throws IOException {
        // GIVEN / WHEN the app folder is listed
        // THEN the function jar carries sluice.properties, and the core and the Azure SDKs travel with it
        assertThat(app.resolve("lib")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("shared-core-"));
        assertThat(app.resolve("lib")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("functions-azure-"));
        assertThat(app.resolve("lib")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("azure-cosmos-"));
        assertThat(app.resolve("lib"))
                .isDirectoryContaining(p -> p.getFileName().toString().startsWith("azure-messaging-servicebus-"));
        try (JarFile jar = new JarFile(app.resolve(System.getProperty("functionJar", "azure-order-events.jar")).toFile())) {
            assertThat(jar.getEntry("sluice.properties")).isNotNull();
        }
    }
}
