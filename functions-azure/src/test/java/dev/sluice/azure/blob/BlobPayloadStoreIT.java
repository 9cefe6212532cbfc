package dev.sluice.azure.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.sluice.azure.BlobPayloadStore;
import dev.sluice.azure.testing.LocalAzurite;
import dev.sluice.azure.testing.LocalAzuriteExtension;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.testing.PayloadStoreContract;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link BlobPayloadStore} on Azurite: the store contract, plus what is particular to Blob Storage. */
class BlobPayloadStoreIT extends PayloadStoreContract {
    @RegisterExtension
    static final LocalAzuriteExtension AZURITE = new LocalAzuriteExtension();

    private BlobContainerClient container;

    @Override
    protected PayloadStore newStore() {
        LocalAzurite azurite = AZURITE.get();
        container = azurite.newContainer();
        return BlobPayloadStore.of(azurite.client(), azurite.location(container));
    }

    @Test
    void aPayloadIsOneBlobInTheConfiguredContainer_namedByAUuid() {
        PayloadPointer pointer = store.put(new byte[] {1, 2});

        assertThat(pointer.container()).isEqualTo(container.getBlobContainerName());
        assertThat(pointer.key()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(container.getBlobClient(pointer.key()).getProperties().getBlobSize()).isEqualTo(2);
    }

    @Test
    void anEmptyPayloadComesBackEmpty() {
        PayloadPointer pointer = store.put(new byte[0]);

        assertThat(store.get(pointer, 16)).hasValueSatisfying(bytes -> assertThat(bytes).isEmpty());
    }

    @Test
    void aMissingContainer_isAnError_notAMissingPayload() {
        // a misconfigured or deleted container must not turn every message into poison: the read fails (retried)
        PayloadPointer pointer = new PayloadPointer(PayloadPointer.Store.BLOB, "no-such-container", "x");

        assertThatThrownBy(() -> store.get(pointer, 16)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void anUnreachableAccount_failsTheWrite() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String account = "http://127.0.0.1:" + closedPort + "/" + LocalAzurite.ACCOUNT;
        BlobPayloadStore unreachable = BlobPayloadStore.of(new BlobServiceClientBuilder().endpoint(account)
                        .credential(new StorageSharedKeyCredential(LocalAzurite.ACCOUNT, LocalAzurite.ACCOUNT_KEY))
                        .retryOptions(new com.azure.storage.common.policy.RequestRetryOptions(
                                com.azure.storage.common.policy.RetryPolicyType.FIXED, 1, 5, null, null, null))
                        .buildClient(),
                PayloadLocation.parse(account + "/payloads", "SLUICE_PAYLOAD_STORE"));

        assertThatThrownBy(() -> unreachable.put(new byte[] {1})).isInstanceOf(RuntimeException.class);
    }

    @Test
    void anS3Location_isRefusedWithAReason() {
        assertThatThrownBy(() -> BlobPayloadStore.of(AZURITE.get().client(),
                PayloadLocation.parse("s3://bucket", "SLUICE_PAYLOAD_STORE")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blob.core.windows.net");
    }
}
