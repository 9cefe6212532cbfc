package dev.sluice.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.security.SecretReference;
import dev.sluice.core.security.SigningKeySource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigningKeysSecretConfigTest {
    private static final String K1 = "k1:" + Base64.getEncoder().encodeToString(
            "k1-secret-k1-secret-k1-secret-k1-secret".getBytes(StandardCharsets.UTF_8));

    private static SluiceConfig.Builder config(String keys) {
        return SluiceConfig.from(Map.of(SluiceConfig.QUEUE_NAME, "orders", SluiceConfig.SLUICE_SIGNING_KEYS, keys), null);
    }

    @Test
    void anAwsSecretReference_shouldBeParsed_notTakenForKeys() {
        SluiceConfig config = config("aws-secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:sluice/keys-AbCdEf").build();

        assertThat(config.signingKeys()).isEmpty();
        assertThat(config.signing()).isTrue();
        assertThat(config.signingKeysSecret()).contains(new SecretReference(SecretReference.Store.AWS_SECRETS_MANAGER,
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:sluice/keys-AbCdEf"));
        assertThat(config.signingKeysRefresh()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.toString()).contains("aws-secretsmanager:arn:");
    }

    @Test
    void anAzureReference_shouldNeedAVaultSecretUrl() {
        assertThat(config("azure-keyvault:https://my-vault.vault.azure.net/secrets/sluice-keys").build().signingKeysSecret())
                .contains(new SecretReference(SecretReference.Store.AZURE_KEY_VAULT, "https://my-vault.vault.azure.net/secrets/sluice-keys"));
        for (String bad : new String[] {"azure-keyvault:http://v.vault.azure.net/secrets/x", "azure-keyvault:https://v.vault.azure.net/keys/x",
                "azure-keyvault:", "aws-secretsmanager: "}) {
            assertThatThrownBy(() -> config(bad).build()).isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith(SluiceConfig.SLUICE_SIGNING_KEYS);
        }
    }

    @Test
    void theRefreshInterval_shouldBeValidated_namingTheVariable() {
        assertThat(config("aws-secretsmanager:keys").signingKeysRefresh(Duration.ofSeconds(60)).build().signingKeysRefresh())
                .isEqualTo(Duration.ofSeconds(60));
        for (String bad : new String[] {"0", "-1", "soon", "86401"}) {
            assertThatThrownBy(() -> SluiceConfig.from(Map.of(SluiceConfig.QUEUE_NAME, "q",
                    SluiceConfig.SLUICE_SIGNING_KEYS_REFRESH_SECONDS, bad), null).build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageStartingWith(SluiceConfig.SLUICE_SIGNING_KEYS_REFRESH_SECONDS);
        }
    }

    @Test
    void signingKeySource_shouldReadTheSecretThroughTheAdaptersFetcher() {
        SluiceConfig config = config("aws-secretsmanager:keys").build();

        SigningKeySource source = config.signingKeySource(ref -> () -> ref.name().equals("keys") ? K1 : null,
                Clock.systemUTC()).orElseThrow();
        assertThat(source.current().activeKeyId()).isEqualTo("k1");
        assertThat(config(K1).build().signingKeySource(ref -> { throw new AssertionError("inline keys need no fetcher"); },
                Clock.systemUTC()).orElseThrow().current().activeKeyId()).isEqualTo("k1");
        assertThatThrownBy(() -> config.signingKeySource(ref -> () -> { throw new IllegalStateException("denied"); },
                Clock.systemUTC())).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(SluiceConfig.SLUICE_SIGNING_KEYS).hasMessageContaining("denied");
    }

    @Test
    void aPipeline_shouldNotBuild_whenTheKeysAreInASecretNobodyRead() {
        SluiceConfig config = config("azure-keyvault:https://v.vault.azure.net/secrets/k").build();
        dev.sluice.core.pipeline.BatchProcessor.Builder<String> pipeline = dev.sluice.core.pipeline.BatchProcessor.<String>builder()
                .config(config).codec(dev.sluice.core.codec.JsonCodec.of(String.class)).handler((m, c) -> { });

        assertThatThrownBy(pipeline::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(SluiceConfig.SLUICE_SIGNING_KEYS).hasMessageContaining("azure-keyvault:");
        pipeline.signatures(dev.sluice.core.security.MessageSignatures.with(
                config.signingKeySource(ref -> () -> K1, Clock.systemUTC()).orElseThrow(), config.signaturePolicy()));
        assertThat(pipeline.build()).isNotNull();
    }
}
