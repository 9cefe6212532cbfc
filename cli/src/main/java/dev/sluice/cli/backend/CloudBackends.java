package dev.sluice.cli.backend;

import com.azure.identity.DefaultAzureCredentialBuilder;
import dev.sluice.aws.SqsDeadLetterQueue;
import dev.sluice.aws.SqsMessageSender;
import dev.sluice.azure.ServiceBusMessageSender;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.aws.SecretsManagerSigningKeys;
import dev.sluice.azure.KeyVaultSigningKeys;
import dev.sluice.core.security.RefreshingSigningKeys;
import dev.sluice.core.security.SecretReference;
import dev.sluice.core.security.SigningKeys;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.MessageSender;
import dev.sluice.azure.ServiceBusDeadLetterQueue;
import dev.sluice.azure.ServiceBusMessaging;
import dev.sluice.core.redrive.DeadLetterQueue;
import dev.sluice.aws.S3PayloadStore;
import dev.sluice.azure.BlobPayloadStore;
import dev.sluice.core.claimcheck.PayloadLocation;
import dev.sluice.core.claimcheck.PayloadPointer;
import dev.sluice.core.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * Opens the AWS or Service Bus dead-letter queue the options name: builds the provider's client from the options
 * and the environment, and hands it to the adapter's {@link DeadLetterQueue}. This is all the CLI knows of a cloud.
 */
public final class CloudBackends implements BackendFactory {
    /** The environment variable holding a Service Bus connection string (else Entra ID is used). */
    public static final String SERVICEBUS_CONNECTION_STRING = "SERVICEBUS_CONNECTION_STRING";

    /**
     * The environment variable holding the signing keys ({@code id:base64secret,...}; the first signs), or naming a
     * secret that holds them ({@code aws-secretsmanager:...}, {@code azure-keyvault:...}).
     */
    public static final String SLUICE_SIGNING_KEYS = SluiceConfig.SLUICE_SIGNING_KEYS;

    /** Where claim-checked payloads go ({@code s3://bucket[/prefix]} or a Blob Storage container's URL). */
    public static final String SLUICE_PAYLOAD_STORE = SluiceConfig.SLUICE_PAYLOAD_STORE;
    /** The S3 endpoint (e.g. a local moto), as the AWS SDK names it. */
    public static final String AWS_ENDPOINT_URL_S3 = "AWS_ENDPOINT_URL_S3";

    private final Map<String, String> environment;

    /** Reads the process environment: the CLI's one place for it. */
    public CloudBackends() {
        this(System.getenv());
    }

    /** @param environment variables (tests pass their own) */
    public CloudBackends(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public DeadLetterQueue open(QueueOptions options) {
        if (options.aws != null) {
            return SqsDeadLetterQueue.openOwning(sqs(options.aws), options.aws.queue);
        }
        if (options.serviceBus != null) {
            return ServiceBusDeadLetterQueue.of(options.serviceBus.queue, options.serviceBus.parking,
                    serviceBus(options.serviceBus, environment.get(SERVICEBUS_CONNECTION_STRING)));
        }
        throw new IllegalArgumentException("name a queue: --aws-queue, or --servicebus with --queue");
    }

    @Override
    public OpenSender sender(QueueOptions options) {
        String keys = environment.get(SLUICE_SIGNING_KEYS);
        String payloads = environment.get(SLUICE_PAYLOAD_STORE);
        PayloadLocation location = payloads == null || payloads.isBlank() ? null
                : PayloadLocation.parse(payloads, SLUICE_PAYLOAD_STORE);
        Envelope.Builder envelope = Envelope.builder()
                .signingKeys(keys == null || keys.isBlank() ? null : signingKeys(keys, options));
        if (options.aws != null) {
            S3Client s3 = location == null ? null : s3(options.aws, location);
            SqsClient sqs = sqs(options.aws);
            try {
                Envelope sealing = envelope.payloadStore(s3 == null ? null : S3PayloadStore.of(s3, location)).build();
                return OpenSender.of(SqsMessageSender.builder().sqs(sqs).queue(options.aws.queue).envelope(sealing).build(),
                        sealing.signing(), () -> {
                            sqs.close();
                            if (s3 != null) {
                                s3.close();
                            }
                        });
            } catch (RuntimeException e) {
                sqs.close();
                if (s3 != null) {
                    s3.close();
                }
                throw e;
            }
        }
        if (options.serviceBus != null) {
            if (location != null && location.store() != PayloadPointer.Store.BLOB) {
                throw new ConfigurationException(SLUICE_PAYLOAD_STORE, "a Service Bus sender stores payloads in Blob"
                        + " Storage (https://<account>.blob.core.windows.net/<container>), got '" + payloads + "'");
            }
            Envelope sealing = envelope.payloadStore(location == null ? null
                    : BlobPayloadStore.of(location, new DefaultAzureCredentialBuilder().build())).build();
            ServiceBusMessaging messaging = serviceBus(options.serviceBus, environment.get(SERVICEBUS_CONNECTION_STRING));
            return OpenSender.of(ServiceBusMessageSender.builder().publisher(messaging).queue(options.serviceBus.queue)
                    .envelope(sealing).build(), sealing.signing(), messaging);
        }
        throw new IllegalArgumentException("name a queue: --aws-queue, or --servicebus with --queue");
    }

    /** An S3 client for the payload store: the options' region and profile, {@value #AWS_ENDPOINT_URL_S3} if set. */
    private S3Client s3(QueueOptions.Aws options, PayloadLocation location) {
        if (location.store() != PayloadPointer.Store.S3) {
            throw new ConfigurationException(SLUICE_PAYLOAD_STORE, "an SQS sender stores payloads in S3"
                    + " (s3://<bucket>[/<prefix>]), got '" + environment.get(SLUICE_PAYLOAD_STORE) + "'");
        }
        S3ClientBuilder builder = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
        String endpoint = environment.get(AWS_ENDPOINT_URL_S3);
        URI s3Endpoint;
        try {
            s3Endpoint = endpoint == null || endpoint.isBlank() ? null : new URI(endpoint.strip());
        } catch (URISyntaxException e) {
            throw new ConfigurationException(AWS_ENDPOINT_URL_S3, "expected a URL, got '" + endpoint + "'");
        }
        configure(builder, options.region, options.profile, s3Endpoint);
        return builder.build();
    }

    /**
     * The keys inline, or read once from the secret {@value #SLUICE_SIGNING_KEYS} names: Secrets Manager with the
     * options' region and profile, Key Vault with the default Azure credential. A command sends and exits, so it
     * reads the secret once.
     */
    private static SigningKeys signingKeys(String keys, QueueOptions options) {
        Optional<SecretReference> secret = SecretReference.parse(keys, SLUICE_SIGNING_KEYS);
        if (secret.isEmpty()) {
            return SigningKeys.parse(keys, SLUICE_SIGNING_KEYS);
        }
        SecretReference reference = secret.get();
        if (reference.store() == SecretReference.Store.AZURE_KEY_VAULT) {
            return readOnce(KeyVaultSigningKeys.fetcher(reference, new DefaultAzureCredentialBuilder().build()), reference);
        }
        SecretsManagerClientBuilder builder = SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
        if (options.aws != null && options.aws.region != null) {
            builder.region(Region.of(options.aws.region));
        }
        if (options.aws != null && options.aws.profile != null) {
            builder.credentialsProvider(ProfileCredentialsProvider.create(options.aws.profile));
        }
        try (SecretsManagerClient client = builder.build()) {
            return readOnce(SecretsManagerSigningKeys.fetcher(reference, client), reference);
        }
    }

    private static SigningKeys readOnce(Supplier<String> fetch, SecretReference reference) {
        // fails naming SLUICE_SIGNING_KEYS and the secret, never its value
        return RefreshingSigningKeys.start(fetch, SLUICE_SIGNING_KEYS, reference.toString(),
                RefreshingSigningKeys.DEFAULT_REFRESH_INTERVAL).current();
    }

    /**
     * @param options the AWS options
     * @return a client built from region, profile and endpoint
     */
    public static SqsClient sqs(QueueOptions.Aws options) {
        SqsClientBuilder builder = SqsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
        configure(builder, options.region, options.profile, options.endpoint);
        return builder.build();
    }

    private static void configure(AwsClientBuilder<?, ?> builder, @Nullable String region, @Nullable String profile,
                                  @Nullable URI endpoint) {
        if (region != null) {
            builder.region(Region.of(region));
        }
        if (profile != null) {
            builder.credentialsProvider(ProfileCredentialsProvider.create(profile));
        }
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
            if (region == null) {
                builder.region(Region.US_EAST_1);
            }
            if (profile == null) {
                // local engines accept any credentials; a developer machine may have none configured
                builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
            }
        }
    }

    private static ServiceBusMessaging serviceBus(QueueOptions.ServiceBus options, String connectionString) {
        if (connectionString != null && !connectionString.isBlank()) {
            return ServiceBusMessaging.withConnectionString(connectionString);
        }
        String fqdn = options.namespace.contains(".") ? options.namespace : options.namespace + ".servicebus.windows.net";
        return ServiceBusMessaging.withCredential(fqdn, new DefaultAzureCredentialBuilder().build());
    }
}
