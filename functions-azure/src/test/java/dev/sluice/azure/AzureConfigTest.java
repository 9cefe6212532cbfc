package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.config.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up fails on bad Azure settings with a message naming the variable, and never echoes secrets. */
class AzureConfigTest {
    @Test
    void managedIdentitySettings_load() {
        AzureConfig config = AzureConfig.from(Map.of(
                AzureConfig.SERVICEBUS_NAMESPACE, "orders.servicebus.windows.net",
                AzureConfig.COSMOS_ENDPOINT, "https://orders.documents.azure.com:443/",
                AzureConfig.COSMOS_DATABASE, "sluice",
                AzureConfig.SLUICE_INVOCATION_TIMEOUT_SECONDS, "300"));

        assertThat(config.serviceBusNamespace()).contains("orders.servicebus.windows.net");
        assertThat(config.cosmosKey()).isEmpty();
        assertThat(config.invocationTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.toString()).contains("managed identity");
    }

    @Test
    void missingServiceBus_namesTheVariable() {
        assertThatThrownBy(() -> AzureConfig.from(Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).setting()).isEqualTo(AzureConfig.SERVICEBUS_NAMESPACE));
    }

    @Test
    void namespaceGivenAsUrl_isRejected() {
        assertThatThrownBy(() -> AzureConfig.from(Map.of(AzureConfig.SERVICEBUS_NAMESPACE, "sb://orders.servicebus.windows.net/")))
                .hasMessageStartingWith(AzureConfig.SERVICEBUS_NAMESPACE + ": expected a host name");
    }

    @Test
    void badConnectionString_isRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> AzureConfig.from(Map.of(AzureConfig.SERVICEBUS_CONNECTION, "SharedAccessKey=s3cr3t")))
                .hasMessageStartingWith(AzureConfig.SERVICEBUS_CONNECTION + ":")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void cosmosEndpointWithoutDatabase_andBadTimeout_areNamed() {
        Map<String, String> sb = Map.of(AzureConfig.SERVICEBUS_CONNECTION, "Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=v");
        assertThatThrownBy(() -> AzureConfig.from(merge(sb, Map.of(AzureConfig.COSMOS_ENDPOINT, "https://localhost:8081/"))))
                .hasMessageStartingWith(AzureConfig.COSMOS_DATABASE + ":");
        assertThatThrownBy(() -> AzureConfig.from(merge(sb, Map.of(AzureConfig.COSMOS_ENDPOINT, "localhost:8081"))))
                .hasMessageStartingWith(AzureConfig.COSMOS_ENDPOINT + ":");
        assertThatThrownBy(() -> AzureConfig.from(merge(sb, Map.of(AzureConfig.SLUICE_INVOCATION_TIMEOUT_SECONDS, "ten"))))
                .hasMessageStartingWith(AzureConfig.SLUICE_INVOCATION_TIMEOUT_SECONDS + ":");
        assertThat(AzureConfig.from(sb).toString()).doesNotContain("SharedAccessKey");
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        java.util.Map<String, String> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return m;
    }
}
