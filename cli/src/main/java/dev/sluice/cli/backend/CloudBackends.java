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
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
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
        Envelope envelope = Envelope.builder()
                .signingKeys(keys == null || keys.isBlank() ? null : signingKeys(keys, options)).build();
        if (options.aws != null) {
            SqsClient sqs = sqs(options.aws);
            try {
                return OpenSender.of(SqsMessageSender.builder().sqs(sqs).queue(options.aws.queue).envelope(envelope).build(),
                        envelope.signing(), sqs);
            } catch (RuntimeException e) {
                sqs.close();
                throw e;
            }
        }
        if (options.serviceBus != null) {
            ServiceBusMessaging messaging = serviceBus(options.serviceBus, environment.get(SERVICEBUS_CONNECTION_STRING));
            return OpenSender.of(ServiceBusMessageSender.builder().publisher(messaging).queue(options.serviceBus.queue)
                    .envelope(envelope).build(), envelope.signing(), messaging);
        }
        throw new IllegalArgumentException("name a queue: --aws-queue, or --servicebus with --queue");
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
        if (options.region != null) {
            builder.region(Region.of(options.region));
        }
        if (options.profile != null) {
            builder.credentialsProvider(ProfileCredentialsProvider.create(options.profile));
        }
        if (options.endpoint != null) {
            builder.endpointOverride(options.endpoint);
            if (options.region == null) {
                builder.region(Region.US_EAST_1);
            }
            if (options.profile == null) {
                // local engines accept any credentials; a developer machine may have none configured
                builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
            }
        }
        return builder.build();
    }

    private static ServiceBusMessaging serviceBus(QueueOptions.ServiceBus options, String connectionString) {
        if (connectionString != null && !connectionString.isBlank()) {
            return ServiceBusMessaging.withConnectionString(connectionString);
        }
        String fqdn = options.namespace.contains(".") ? options.namespace : options.namespace + ".servicebus.windows.net";
        return ServiceBusMessaging.withCredential(fqdn, new DefaultAzureCredentialBuilder().build());
    }
}
