package dev.sluice.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.cosmos.CosmosClient;
import com.azure.cosmos.CosmosClientBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.sluice.core.MessageHandler;
import dev.sluice.core.codec.MessageCodec;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.idempotency.IdempotencyMode;
import dev.sluice.core.idempotency.IdempotencyOptions;
import dev.sluice.core.pipeline.BatchProcessor;
import dev.sluice.core.security.MessageSignatures;
import dev.sluice.core.spi.MetricsSink;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Turns the Function App's settings into a consumer's parts; the one place that turns settings into clients. */
final class AzureWiring {
    private AzureWiring() {}

    /**
     * What a consumer is built from.
     *
     * @param processor the pipeline
     * @param publisher where copies go
     * @param invocationTimeout the function's timeout
     * @param metrics where the session metrics go
     * @param parkingQueue the parking queue, when the settings name one
     * @param <T> the body type
     */
    record Parts<T>(BatchProcessor<T> processor, MessagePublisher publisher, Duration invocationTimeout,
                    MetricsSink metrics, Optional<String> parkingQueue) {}

    /**
     * @param codec the codec
     * @param handler the handler
     * @param mode the idempotency mode
     * @param <T> the body type
     * @return a consumer's parts, wired from the environment
     */
    static <T> Parts<T> fromEnvironment(MessageCodec<T> codec, MessageHandler<T> handler, IdempotencyMode mode) {
        SluiceConfig config = SluiceConfig.fromEnvironment().build();
        AzureConfig azure = AzureConfig.fromEnvironment();
        String containerName = config.idempotencyContainer().orElseThrow(() -> new ConfigurationException(
                SluiceConfig.IDEMPOTENCY_CONTAINER, "is required on Azure: redelivered batches rely on idempotency"));
        String endpoint = azure.cosmosEndpoint().map(Object::toString).orElseThrow(() -> new ConfigurationException(
                AzureConfig.COSMOS_ENDPOINT, "is required when " + SluiceConfig.IDEMPOTENCY_CONTAINER + " is set"));
        CosmosClientBuilder cosmos = new CosmosClientBuilder().endpoint(endpoint).userAgentSuffix("sluice");
        if (azure.cosmosKey().isPresent()) {
            cosmos.key(azure.cosmosKey().get());
        } else {
            cosmos.credential(credential(azure));
        }
        CosmosClient client = cosmos.buildClient();
        CosmosIdempotencyStore store = CosmosIdempotencyStore.builder()
                .container(client.getDatabase(azure.cosmosDatabase().orElseThrow()).getContainer(containerName))
                .build();
        MetricsSink metrics = OpenTelemetryMetrics.of(GlobalOpenTelemetry.get());
        BatchProcessor.Builder<T> pipeline = BatchProcessor.<T>builder()
                .config(config)
                .handler(handler)
                .codec(codec)
                .idempotency(IdempotencyOptions.from(config, store, mode).build())
                .metrics(metrics);
        if (config.signingKeysSecret().isPresent()) {
            // keys in Key Vault: read now (a failure fails start-up) and re-read as the configuration says
            pipeline.signatures(MessageSignatures.with(KeyVaultSigningKeys.source(config, () -> credential(azure),
                    Clock.systemUTC()).orElseThrow(), config.signaturePolicy()));
        }
        // payloads in Blob Storage: opened with the same managed identity (SLUICE_PAYLOAD_DELETE_AFTER_SUCCESS came with config)
        BlobPayloadStore.fromConfig(config, () -> credential(azure)).ifPresent(pipeline::payloadStore);
        return new Parts<>(pipeline.build(), ServiceBusMessaging.fromConfig(azure), azure.invocationTimeout(), metrics,
                config.dlqName());
    }

    private static TokenCredential credential(AzureConfig azure) {
        DefaultAzureCredentialBuilder credential = new DefaultAzureCredentialBuilder();
        azure.managedIdentityClientId().ifPresent(credential::managedIdentityClientId);
        return credential.build();
    }
}
