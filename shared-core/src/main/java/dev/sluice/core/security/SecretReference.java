package dev.sluice.core.security;

import dev.sluice.core.config.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.Optional;

/**
 * A secret named by {@code SLUICE_SIGNING_KEYS} instead of inline keys: {@code aws-secretsmanager:<secret id or ARN>}
 * or {@code azure-keyvault:https://<vault>.vault.azure.net/secrets/<name>}. Core only parses it; each cloud adapter
 * supplies the fetcher that reads the secret's value (the {@code id:base64secret,...} spec).
 *
 * @param store which secret store
 * @param name the secret id or ARN (Secrets Manager) or the secret's URL (Key Vault)
 */
public record SecretReference(Store store, String name) {
    /** The secret stores Sluice can read keys from. */
    public enum Store {
        /** AWS Secrets Manager. */
        AWS_SECRETS_MANAGER("aws-secretsmanager"),
        /** Azure Key Vault. */
        AZURE_KEY_VAULT("azure-keyvault");

        private final String prefix;

        Store(String prefix) {
            this.prefix = prefix;
        }

        /** @return the prefix in the setting, without the colon */
        public String prefix() {
            return prefix;
        }
    }

    /** Checks. */
    public SecretReference {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(name, "name");
    }

    /**
     * @param value the setting's value
     * @param setting the variable to name in errors
     * @return the reference, or empty when the value holds inline keys
     * @throws ConfigurationException naming {@code setting} when a reference is malformed
     */
    public static Optional<SecretReference> parse(String value, String setting) {
        String trimmed = value.trim();
        for (Store store : Store.values()) {
            if (trimmed.startsWith(store.prefix + ":")) {
                String name = trimmed.substring(store.prefix.length() + 1).trim();
                if (name.isEmpty()) {
                    throw new ConfigurationException(setting, "'" + store.prefix + ":' needs a secret after the colon");
                }
                if (store == Store.AZURE_KEY_VAULT) {
                    checkVaultUrl(name, setting);
                }
                return Optional.of(new SecretReference(store, name));
            }
        }
        return Optional.empty();
    }

    private static void checkVaultUrl(String url, String setting) {
        String expected = "expected 'azure-keyvault:https://<vault>.vault.azure.net/secrets/<name>', got '" + url + "'";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigurationException(setting, expected);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String[] parts = path.split("/");
        // "", "secrets", name[, version]
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null || parts.length < 3 || parts.length > 4
                || !"secrets".equals(parts[1]) || parts[2].isEmpty() || uri.getQuery() != null) {
            throw new ConfigurationException(setting, expected);
        }
    }

    /** @return the setting's form, e.g. {@code aws-secretsmanager:sluice/signing-keys}; never a secret value */
    @Override
    public String toString() {
        return store.prefix + ":" + name;
    }
}
