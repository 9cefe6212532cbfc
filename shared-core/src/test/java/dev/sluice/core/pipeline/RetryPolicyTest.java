package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {
    @Test
    void defaults_shouldBeThreeAttempts_withJitterBetweenZeroAndOneSecondFirst() {
        // GIVEN the default policy
        RetryPolicy policy = RetryPolicy.defaults();

        // THEN three attempts; the first wait is at most the 1 s base, later waits at most the 5 min cap
        assertThat(policy.maxAttempts()).isEqualTo(3);
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            assertThat(policy.backoff().delay(1, random)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
            assertThat(policy.backoff().delay(40, random)).isBetween(Duration.ZERO, Duration.ofMinutes(5));
        }
    }

    @Test
    void exponential_shouldUseTheGivenAttemptsBaseAndCap() {
        RetryPolicy policy = RetryPolicy.exponential(5, Duration.ofMillis(10), Duration.ofMillis(50));

        assertThat(policy.maxAttempts()).isEqualTo(5);
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 500; i++) {
            assertThat(policy.backoff().delay(10, random)).isLessThanOrEqualTo(Duration.ofMillis(50));
        }
    }

    @Test
    void maxAttemptsOfOne_shouldBeAllowed_forNoRetries() {
        assertThat(new RetryPolicy(1, BackoffStrategy.fixed(Duration.ZERO)).maxAttempts()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void constructor_shouldRejectFewerThanOneAttempt_namingMaxAttempts(int maxAttempts) {
        assertThatThrownBy(() -> new RetryPolicy(maxAttempts, BackoffStrategy.fixed(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("maxAttempts")
                .hasMessageContaining(Integer.toString(maxAttempts));
    }

    @Test
    void constructor_shouldRejectAMissingBackoff_namingIt() {
        assertThatThrownBy(() -> new RetryPolicy(3, null)).isInstanceOf(NullPointerException.class).hasMessage("backoff");
    }

    @Test
    void exponential_shouldPassOnBackoffValidation() {
        assertThatThrownBy(() -> RetryPolicy.exponential(3, Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cap");
    }
}
