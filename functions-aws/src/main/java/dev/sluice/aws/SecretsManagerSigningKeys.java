package dev.sluice.aws;

import dev.sluice.aws.internal.AwsClients;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.security.SecretReference;
import dev.sluice.core.security.SigningKeySource;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Signing keys in AWS Secrets Manager: {@code SLUICE_SIGNING_KEYS=aws-secretsmanager:<secret id or ARN>}, whose
 * secret string holds {@code id:base64secret[,id:base64secret...]} (the first key signs). Read with
 * {@code GetSecretValue} (the function's role needs {@code secretsmanager:GetSecretValue} on the secret, and
 * {@code kms:Decrypt} if it uses its own KMS key) at start and every {@code SLUICE_SIGNING_KEYS_REFRESH_SECONDS}.
 * The consumer ({@link SqsBatchConsumer}) wires it from its configuration; a producer builds its envelope's keys with
 * {@link #source(SluiceConfig, SecretsManagerClient, Clock)}.
 */
public final class SecretsManagerSigningKeys {
    private SecretsManagerSigningKeys() {}

    /**
     * @param client the Secrets Manager client (shared; not closed)
     * @param secretId the secret's name or ARN
     * @return reads the secret's current string value ({@code AWSCURRENT})
     */
    public static Supplier<String> fetcher(SecretsManagerClient client, String secretId) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(secretId, "secretId");
        return () -> {
            GetSecretValueResponse response = client.getSecretValue(r -> r.secretId(secretId));
            if (response.secretString() == null) {
                throw new IllegalStateException("the secret '" + secretId + "' has no string value (a binary secret?)");
            }
            return response.secretString();
        };
    }

    /**
     * @param reference the secret named by the configuration
     * @param client the client to read it with
     * @return its fetcher
     * @throws ConfigurationException naming {@code SLUICE_SIGNING_KEYS} when the secret is not in Secrets Manager
     */
    public static Supplier<String> fetcher(SecretReference reference, SecretsManagerClient client) {
        if (reference.store() != SecretReference.Store.AWS_SECRETS_MANAGER) {
            throw new ConfigurationException(SluiceConfig.SLUICE_SIGNING_KEYS, "the AWS adapter reads keys from "
                    + SecretReference.Store.AWS_SECRETS_MANAGER.prefix() + ": only, not " + reference.store().prefix() + ":");
        }
        return fetcher(client, reference.name());
    }

    /**
     * The signing keys the configuration names: fixed inline keys, or the secret's, read now and refreshed.
     *
     * @param config the configuration
     * @param client the Secrets Manager client, or null for a default one (made only when a secret is named)
     * @param clock the time refreshes follow
     * @return the source, or empty when signing is off
     * @throws ConfigurationException naming {@code SLUICE_SIGNING_KEYS} when the secret cannot be read
     */
    public static Optional<SigningKeySource> source(SluiceConfig config, @Nullable SecretsManagerClient client, Clock clock) {
        return config.signingKeySource(reference -> fetcher(reference, client != null ? client : AwsClients.secretsManager()),
                clock);
    }
}
