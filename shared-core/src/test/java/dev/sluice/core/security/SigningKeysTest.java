package dev.sluice.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.config.SluiceConfig;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SigningKeysTest {
    private static final byte[] KEY_32 = "0123456789abcdef0123456789abcdef".getBytes();
    private static final byte[] KEY_31 = "0123456789abcdef0123456789abcde".getBytes();

    @Test
    void of_shouldAccept_aSecretOfExactlyTheMinimumLength() {
        SigningKeys keys = SigningKeys.of("k1", Map.of("k1", KEY_32));

        assertThat(keys.activeKeyId()).isEqualTo("k1");
        assertThat(keys.keyIds()).containsExactly("k1");
    }

    @Test
    void of_shouldReject_aShortSecret_namingTheKeyAndTheMinimum() {
        assertThatThrownBy(() -> SigningKeys.of("k1", Map.of("k1", KEY_31)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'k1'")
                .hasMessageContaining("32 bytes");
    }

    @Test
    void of_shouldReject_anActiveKeyThatIsNotAmongTheKeys() {
        assertThatThrownBy(() -> SigningKeys.of("k2", Map.of("k1", KEY_32)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'k2'");
    }

    @Test
    void of_shouldReject_keyIdsThatCannotBeWrittenInTheVariable() {
        assertThatThrownBy(() -> SigningKeys.of("a,b", Map.of("a,b", KEY_32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKeys.of("a:b", Map.of("a:b", KEY_32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SigningKeys.of(" ", Map.of(" ", KEY_32))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parse_shouldMakeTheFirstKeySign_andKeepAllForVerification() {
        // GIVEN two keys, the new one first
        String spec = " new:" + b64(KEY_32) + " , old:" + b64("fedcba9876543210fedcba9876543210".getBytes());

        // WHEN parsed
        SigningKeys keys = SigningKeys.parse(spec, SluiceConfig.SLUICE_SIGNING_KEYS);

        // THEN the first signs and both are known
        assertThat(keys.activeKeyId()).isEqualTo("new");
        assertThat(keys.keyIds()).containsExactlyInAnyOrder("new", "old");
    }

    @Test
    void parse_shouldRejectAShortSecret_namingTheSetting() {
        assertThatThrownBy(() -> SigningKeys.parse("k1:" + b64(KEY_31), "MY_KEYS"))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.setting()).isEqualTo("MY_KEYS"))
                .hasMessageContaining("32 bytes")
                .hasMessageNotContaining(b64(KEY_31));
    }

    @Test
    void toString_shouldNotShowSecrets() {
        SigningKeys keys = SigningKeys.of("k1", Map.of("k1", KEY_32));

        assertThat(keys.toString()).contains("k1").doesNotContain(new String(KEY_32)).doesNotContain(b64(KEY_32));
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
