package dev.sluice.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffStrategyTest {
    private static final Duration BASE = Duration.ofMillis(100);
    private static final Duration CAP = Duration.ofSeconds(10);

    private final BackoffStrategy jitter = BackoffStrategy.exponentialWithFullJitter(BASE, CAP);

    @Test
    void fullJitter_shouldStayWithinZeroAndTheCeiling_acrossManySeeds() {
        // GIVEN 200 seeds and attempts 1..20
        for (long seed = 0; seed < 200; seed++) {
            RandomGenerator random = new SplittableRandom(seed);
            for (int attempt = 1; attempt <= 20; attempt++) {
                // WHEN a delay is drawn
                long delay = jitter.delay(attempt, random).toMillis();

                // THEN it lies in [0, min(cap, base * 2^(attempt-1))]
                long ceiling = Math.min(CAP.toMillis(), BASE.toMillis() << (attempt - 1));
                assertThat(delay).as("seed %d attempt %d", seed, attempt).isBetween(0L, ceiling);
            }
        }
    }

    @ParameterizedTest(name = "attempt {0} -> ceiling {1} ms")
    @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "7, 6400", "8, 10000", "30, 10000", "1000, 10000",
            "0, 100", "-5, 100", "2147483647, 10000"})
    void fullJitter_shouldReachExactlyTheCeiling_withTheLargestRandomDraw(int attempt, long ceiling) {
        // GIVEN randomness that always draws its largest value
        // WHEN a delay is drawn THEN it is the ceiling: doubling per attempt, capped, never overflowing
        assertThat(jitter.delay(attempt, new Largest())).isEqualTo(Duration.ofMillis(ceiling));
    }

    @Test
    void fullJitter_shouldReachZero_withTheSmallestRandomDraw() {
        assertThat(jitter.delay(5, new Smallest())).isZero();
    }

    @Test
    void fullJitter_shouldGrowWithAttempts_onAverage() {
        // GIVEN the same fixed-seed draws for each attempt
        double previousMean = -1;
        for (int attempt = 1; attempt <= 7; attempt++) {
            RandomGenerator random = new SplittableRandom(42);
            long sum = 0;
            for (int i = 0; i < 2_000; i++) {
                sum += jitter.delay(attempt, random).toMillis();
            }
            double mean = sum / 2_000.0;

            // THEN each attempt waits longer on average, about half its ceiling
            assertThat(mean).as("mean delay after attempt %d", attempt).isGreaterThan(previousMean);
            long ceiling = BASE.toMillis() << (attempt - 1);
            assertThat(mean).isBetween(ceiling * 0.4, ceiling * 0.6);
            previousMean = mean;
        }
    }

    @Test
    void fullJitter_shouldSpreadRetries_insteadOfSynchronisingThem() {
        // GIVEN 100 consumers failing at once, each with its own randomness
        long distinct = java.util.stream.LongStream.range(0, 100)
                .map(seed -> jitter.delay(6, new SplittableRandom(seed)).toMillis())
                .distinct().count();

        // THEN their retries do not all land on the same moment
        assertThat(distinct).isGreaterThan(50);
    }

    @Test
    void fullJitter_shouldNotOverflow_withAHugeBase() {
        // GIVEN a base and cap of about 100 days, and attempt 1000
        Duration huge = Duration.ofDays(100);
        BackoffStrategy strategy = BackoffStrategy.exponentialWithFullJitter(huge, huge);

        // THEN the delay is the cap, not a negative or wrapped value
        assertThat(strategy.delay(1000, new Largest())).isEqualTo(huge);
        assertThat(strategy.delay(63, new Largest())).isEqualTo(huge);
        // 8.64e9 ms shifted by 30 would pass Long.MAX_VALUE; by 29 it still fits
        assertThat(strategy.delay(30, new Largest())).isEqualTo(huge);
        assertThat(strategy.delay(31, new Largest())).isEqualTo(huge);
        assertThat(strategy.delay(2, new SplittableRandom(5))).isBetween(Duration.ZERO, huge);
    }

    @Test
    void fullJitter_shouldBeZero_whenBaseAndCapAreZero() {
        BackoffStrategy none = BackoffStrategy.exponentialWithFullJitter(Duration.ZERO, Duration.ZERO);

        assertThat(none.delay(3, new Largest())).isZero();
    }

    @Test
    void fixed_shouldReturnTheSameDelay_forEveryAttempt() {
        BackoffStrategy fixed = BackoffStrategy.fixed(Duration.ofSeconds(3));

        assertThat(fixed.delay(1, new SplittableRandom(1))).isEqualTo(Duration.ofSeconds(3));
        assertThat(fixed.delay(1000, new SplittableRandom(2))).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void fixed_shouldReject_aNegativeDelay_namingIt() {
        assertThatThrownBy(() -> BackoffStrategy.fixed(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("delay");
    }

    @Test
    void exponentialWithFullJitter_shouldRejectNegativeValues_namingTheProperty() {
        assertThatThrownBy(() -> BackoffStrategy.exponentialWithFullJitter(Duration.ofMillis(-1), CAP))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("base");
        assertThatThrownBy(() -> BackoffStrategy.exponentialWithFullJitter(Duration.ZERO, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cap");
    }

    @Test
    void exponentialWithFullJitter_shouldReject_aCapBelowTheBase() {
        assertThatThrownBy(() -> BackoffStrategy.exponentialWithFullJitter(Duration.ofSeconds(10), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cap")
                .hasMessageContaining("base");
    }

    @Test
    void factories_shouldRejectNull_namingTheProperty() {
        assertThatThrownBy(() -> BackoffStrategy.fixed(null)).isInstanceOf(NullPointerException.class).hasMessage("delay");
        assertThatThrownBy(() -> BackoffStrategy.exponentialWithFullJitter(null, CAP))
                .isInstanceOf(NullPointerException.class).hasMessage("base");
    }

    /** Always draws the largest allowed value. */
    private static final class Largest implements RandomGenerator {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    }

    /** Always draws zero. */
    private static final class Smallest implements RandomGenerator {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return 0;
        }
    }
}
