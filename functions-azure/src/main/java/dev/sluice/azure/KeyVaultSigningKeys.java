package dev.sluice.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.security.SecretReference;
import dev.sluice.core.security.SigningKeySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Signing keys in Azure Key Vault: {@code SLUICE_SIGNING_KEYS=azure-keyvault:https://<vault>.vault.azure.net/secrets/<name>},
 * whose value holds {@code id:base64secret[,id:base64secret...]} (the first key signs). Read with Key Vault's REST
 * API, {@code GET <secret URL>?api-version=7.4} with a bearer token for the vault's scope from a
 * {@link TokenCredential} (the function's managed identity needs the "Key Vault Secrets User" role, or a
 * {@code get} secret permission), over the JDK's HTTP client: no Key Vault SDK. The answer's {@code value} is the
 * spec; nothing of the answer's body is ever put in an error or a log line besides the error code.
 */
public final class KeyVaultSigningKeys {
    /** The Key Vault REST API version the fetcher calls. */
    public static final String API_VERSION = "7.4";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private KeyVaultSigningKeys() {}

    /**
     * @param secretUrl {@code https://<vault>.vault.azure.net/secrets/<name>[/<version>]}; without a version the
     *     latest is read
     * @param credential where the bearer token comes from
     * @param http the HTTP client
     * @return reads the secret's current value
     */
    public static Supplier<String> fetcher(URI secretUrl, TokenCredential credential, HttpClient http) {
        Objects.requireNonNull(secretUrl, "secretUrl");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(http, "http");
        URI request = URI.create(secretUrl.toString().replaceAll("/+$", "") + "?api-version=" + API_VERSION);
        TokenRequestContext scope = new TokenRequestContext().addScopes(scope(secretUrl));
        return () -> {
            AccessToken token = credential.getTokenSync(scope);
            HttpResponse<byte[]> response;
            try {
                response = http.send(HttpRequest.newBuilder(request).timeout(TIMEOUT).GET()
                        .header("Authorization", "Bearer " + token.getToken())
                        .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException("Key Vault did not answer for " + secretUrl, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted reading " + secretUrl, e);
            }
            JsonNode body = parse(response.body());
            if (response.statusCode() != 200) {
                // the error code and message only (e.g. Forbidden, SecretNotFound): never anything else of the body
                throw new IllegalStateException("Key Vault answered " + response.statusCode() + " for " + secretUrl
                        + (body == null ? "" : ": " + body.path("error").path("code").asText("")
                        + " " + body.path("error").path("message").asText("")).stripTrailing());
            }
            JsonNode value = body == null ? null : body.get("value");
            if (value == null || !value.isTextual()) {
                throw new IllegalStateException("Key Vault's answer for " + secretUrl + " has no string 'value'");
            }
            return value.asText();
        };
    }

    /**
     * @param reference the secret named by the configuration
     * @param credential where the bearer token comes from
     * @return its fetcher
     * @throws ConfigurationException naming {@code SLUICE_SIGNING_KEYS} when the secret is not in Key Vault
     */
    public static Supplier<String> fetcher(SecretReference reference, TokenCredential credential) {
        if (reference.store() != SecretReference.Store.AZURE_KEY_VAULT) {
            throw new ConfigurationException(SluiceConfig.SLUICE_SIGNING_KEYS, "the Azure adapter reads keys from "
                    + SecretReference.Store.AZURE_KEY_VAULT.prefix() + ": only, not " + reference.store().prefix() + ":");
        }
        return fetcher(URI.create(reference.name()), credential,
                HttpClient.newBuilder().connectTimeout(TIMEOUT).build());
    }

    /**
     * The signing keys the configuration names: fixed inline keys, or the vault secret's, read now and refreshed.
     *
     * @param config the configuration
     * @param credential where the bearer token comes from (asked only when a secret is named)
     * @param clock the time refreshes follow
     * @return the source, or empty when signing is off
     * @throws ConfigurationException naming {@code SLUICE_SIGNING_KEYS} when the secret cannot be read
     */
    public static Optional<SigningKeySource> source(SluiceConfig config, Supplier<TokenCredential> credential, Clock clock) {
        return config.signingKeySource(reference -> fetcher(reference, credential.get()), clock);
    }

    /** The token scope of the vault's cloud: {@code https://vault.azure.net/.default} for the public cloud. */
    static String scope(URI secretUrl) {
        String host = Objects.requireNonNullElse(secretUrl.getHost(), "");
        int vault = host.indexOf(".vault.");
        return "https://" + (vault < 0 ? "vault.azure.net" : host.substring(vault + 1)) + "/.default";
    }

    private static JsonNode parse(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
