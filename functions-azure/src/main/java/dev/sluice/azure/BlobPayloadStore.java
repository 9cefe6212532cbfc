package dev.sluice.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.blob.specialized.BlobInputStream;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.claimcheck.PayloadStore;
import dev.sluice.core.codec.DecodingException;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Claim-checked payloads in one Blob Storage container, each a block blob named by a random UUID: the store behind
 * {@code SLUICE_PAYLOAD_STORE=https://<account>.blob.core.windows.net/<container>}. A blob is written once (never
 * overwritten) and never changed; reading one larger than the reader's limit never loads it into memory. Give the
 * container a lifecycle management rule: blobs of messages that were dead-lettered, or that succeeded with deletion
 * turned off, stay until it removes them. The identity needs the "Storage Blob Data Contributor" role on the
 * container (a consumer that never deletes needs only "Storage Blob Data Reader"). Reads and deletes follow the
 * pointer's container within the same account (the pointer carries no account), so producer and consumer must name the
 * same account. Thread-safe.
 */
public final class BlobPayloadStore implements PayloadStore {
    /** Attempts per call of the client {@link #of(PayloadLocation, TokenCredential)} builds, within one invocation. */
    static final int MAX_TRIES = 3;
    /** The longest one attempt of that client may take. */
    static final Duration TRY_TIMEOUT = Duration.ofSeconds(30);

    private final BlobServiceClient service;
    private final String container;

    private BlobPayloadStore(BlobServiceClient service, String container) {
        this.service = service;
        this.container = container;
    }

    /**
     * The production store: the location's account through a token credential, e.g. the function's managed
     * identity ({@code DefaultAzureCredential}).
     *
     * @param location where payloads go, e.g. {@code PayloadLocation.parse("https://acct.blob.core.windows.net/payloads", ...)}
     * @param credential who the store acts as
     * @return the store
     * @throws IllegalArgumentException when {@code location} is not a Blob Storage location
     */
    public static BlobPayloadStore of(PayloadLocation location, TokenCredential credential) {
        Objects.requireNonNull(credential, "credential");
        return of(new BlobServiceClientBuilder()
                .endpoint(accountUrl(location))
                .credential(credential)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, MAX_TRIES, TRY_TIMEOUT, null, null, null))
                .buildClient(), location);
    }

    /**
     * The store {@code SLUICE_PAYLOAD_STORE} names, for a consumer or a sender wired from the environment.
     *
     * @param config the configuration
     * @param credential who the store acts as, e.g. the function's managed identity (asked only when a store is named)
     * @return the store, or empty when {@code SLUICE_PAYLOAD_STORE} is not set
     * @throws ConfigurationException naming {@code SLUICE_PAYLOAD_STORE} when it names an S3 bucket
     */
    public static Optional<BlobPayloadStore> fromConfig(SluiceConfig config, Supplier<TokenCredential> credential) {
        Objects.requireNonNull(credential, "credential");
        Optional<PayloadLocation> location = config.payloadStore();
        if (location.isEmpty()) {
            return Optional.empty();
        }
        if (location.get().store() != PayloadPointer.Store.BLOB) {
            throw new ConfigurationException(SluiceConfig.SLUICE_PAYLOAD_STORE, "names " + location.get()
                    + ", but on Azure payloads go to Blob Storage: https://<account>.blob.core.windows.net/<container>");
        }
        return Optional.of(of(location.get(), credential.get()));
    }

    /**
     * @param service the account's client (shared; e.g. one with a shared key for Azurite or a SAS)
     * @param location where payloads go; its account URL is not used, the client's account is
     * @return the store
     * @throws IllegalArgumentException when {@code location} is not a Blob Storage location
     */
    public static BlobPayloadStore of(BlobServiceClient service, PayloadLocation location) {
        Objects.requireNonNull(service, "service");
        accountUrl(location);
        return new BlobPayloadStore(service, location.container());
    }

    private static String accountUrl(PayloadLocation location) {
        Objects.requireNonNull(location, "location");
        if (location.store() != PayloadPointer.Store.BLOB || location.accountUrl() == null) {
            throw new IllegalArgumentException("a Blob Storage payload store needs an "
                    + "https://<account>.blob.core.windows.net/<container> location, got " + location);
        }
        return location.accountUrl().toString();
    }

    /** @return the container payloads are written to */
    @Override
    public String container() {
        return container;
    }

    @Override
    public PayloadPointer.Store kind() {
        return PayloadPointer.Store.BLOB;
    }

    @Override
    public PayloadPointer put(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        String name = UUID.randomUUID().toString();
        // If-None-Match: * makes the write fail rather than replace a blob of the same name
        service.getBlobContainerClient(container).getBlobClient(name).uploadWithResponse(
                new BlobParallelUploadOptions(BinaryData.fromBytes(payload))
                        .setHeaders(new BlobHttpHeaders().setContentType("application/octet-stream"))
                        .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")),
                null, Context.NONE);
        return new PayloadPointer(PayloadPointer.Store.BLOB, container, name);
    }

    @Override
    public Optional<byte[]> get(PayloadPointer pointer, int maxBytes) {
        Objects.requireNonNull(pointer, "pointer");
        BlobClient blob = service.getBlobContainerClient(pointer.container()).getBlobClient(pointer.key());
        BlobInputStream in;
        try {
            // reads the blob's properties first, nothing of its content
            in = blob.openInputStream();
        } catch (BlobStorageException e) {
            // a missing blob is the message's problem (poison); a missing container is the store's (retried)
            if (BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())
                    || (e.getStatusCode() == 404 && e.getErrorCode() == null)) {
                return Optional.empty();
            }
            throw e;
        }
        try (in) {
            long size = in.getProperties().getBlobSize();
            if (size > maxBytes) {
                throw tooLarge(pointer, size, maxBytes);
            }
            // at most one byte past the limit, whatever the properties said
            byte[] bytes = in.readNBytes(maxBytes == Integer.MAX_VALUE ? maxBytes : maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw tooLarge(pointer, bytes.length, maxBytes);
            }
            return Optional.of(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored payload " + pointer, e);
        }
    }

    @Override
    public void delete(PayloadPointer pointer) {
        Objects.requireNonNull(pointer, "pointer");
        service.getBlobContainerClient(pointer.container()).getBlobClient(pointer.key()).deleteIfExists();
    }

    private static DecodingException tooLarge(PayloadPointer pointer, long bytes, int maxBytes) {
        return new DecodingException("claim-check: the stored payload " + pointer + " is " + bytes
                + " bytes, over the limit of " + maxBytes + " (SLUICE_MAX_PAYLOAD_BYTES)");
    }

    @Override
    public String toString() {
        return "BlobPayloadStore[" + service.getAccountUrl() + "/" + container + "]";
    }
}
