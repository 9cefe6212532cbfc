package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.config.ConfigurationException;
import dev.sluice.core.idempotency.IdempotencyMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsConfigTest {

    @Test
    void defaults_matchPowertoolsOutsideLambda() {
        AwsConfig config = AwsConfig.defaults();
        assertThat(config.functionName()).isEqualTo("testFunction");
        assertThat(config.keyFormat()).isEqualTo(AwsConfig.KeyFormat.SLUICE);
        assertThat(config.idempotencyMode()).isEqualTo(IdempotencyMode.GUARD);
        assertThat(config.snapStartPriming()).isTrue();
    }

    @Test
    void environmentValues_areReadCaseInsensitively() {
        AwsConfig config = AwsConfig.from(Map.of("AWS_LAMBDA_FUNCTION_NAME", "orders-fn", "SLUICE_IDEMPOTENCY_MODE", "transactional",
                "SLUICE_IDEMPOTENCY_KEY_FORMAT", "Powertools", "SLUICE_SNAPSTART_PRIMING", "false"));
        assertThat(config.functionName()).isEqualTo("orders-fn");
        assertThat(config.idempotencyMode()).isEqualTo(IdempotencyMode.TRANSACTIONAL);
        assertThat(config.keyFormat()).isEqualTo(AwsConfig.KeyFormat.POWERTOOLS);
        assertThat(config.snapStartPriming()).isFalse();
    }

    @Test
    void aBadValue_failsAtStartNamingTheVariable() {
        assertThatThrownBy(() -> AwsConfig.from(Map.of("SLUICE_IDEMPOTENCY_MODE", "sometimes")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SLUICE_IDEMPOTENCY_MODE").hasMessageContaining("GUARD, TRANSACTIONAL");
        assertThatThrownBy(() -> AwsConfig.from(Map.of("SLUICE_SNAPSTART_PRIMING", "yes")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("SLUICE_SNAPSTART_PRIMING");
    }
}
