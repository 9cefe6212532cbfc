package dev.sluice.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import dev.sluice.azure.testing.Order;
import dev.sluice.core.codec.JsonCodec;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.pipeline.BatchProcessor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** How a Function App's settings open a {@link BlobPayloadStore} (no network: nothing is read or written here). */
class BlobPayloadStoreTest {
    private final AtomicInteger credentialsAsked = new AtomicInteger();
    private final Supplier<TokenCredential> credential = () -> {
        credentialsAsked.incrementAndGet();
        return request -> Mono.error(new IllegalStateException("no token in this test"));
    };

    @Test
    void withoutSluicePayloadStore_noStoreIsOpened_andNoCredentialAsked() {
        SluiceConfig config = SluiceConfig.builder().queueName("orders").build();

        assertThat(BlobPayloadStore.fromConfig(config, credential)).isEmpty();
        assertThat(credentialsAsked).hasValue(0);
    }

    @Test
    void aContainerUrl_opensTheStoreOnThatContainer_withTheManagedIdentity() {
        SluiceConfig config = SluiceConfig.builder().queueName("orders")
                .payloadStore("https://acct.blob.core.windows.net/payloads").build();

        assertThat(BlobPayloadStore.fromConfig(config, credential)).hasValueSatisfying(store -> {
            assertThat(store.container()).isEqualTo("payloads");
            assertThat(store).hasToString("BlobPayloadStore[https://acct.blob.core.windows.net/payloads]");
        });
        assertThat(credentialsAsked).hasValue(1);
    }

    @Test
    void anS3Bucket_isRefusedOnAzure_namingTheSetting() {
        SluiceConfig config = SluiceConfig.builder().queueName("orders").payloadStore("s3://bucket/prefix").build();

        assertThatThrownBy(() -> BlobPayloadStore.fromConfig(config, credential))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(SluiceConfig.SLUICE_PAYLOAD_STORE).hasMessageContaining("blob.core.windows.net");
    }

    @Test
    void thePipeline_refusesToBuildWithoutTheStore_andBuildsWithIt() {
        // what AzureWiring relies on: config(...) takes SLUICE_PAYLOAD_STORE, the adapter must give the store
        SluiceConfig config = SluiceConfig.builder().queueName("orders")
                .payloadStore("https://acct.blob.core.windows.net/payloads").build();
        BatchProcessor.Builder<Order> pipeline = BatchProcessor.<Order>builder().config(config)
                .handler((message, context) -> { }).codec(JsonCodec.of(Order.class));

        assertThatThrownBy(pipeline::build).hasMessageContaining("SLUICE_PAYLOAD_STORE");
        BlobPayloadStore.fromConfig(config, credential).ifPresent(pipeline::payloadStore);
        assertThat(pipeline.build().queueName()).isEqualTo("orders");
    }
}
