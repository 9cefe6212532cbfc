package dev.sluice.core.redrive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SluiceAttributesTest {
    @Test
    void redriven_whenASelectiveRedriveCountedIt_orANativeMoveKeptTheEnvelope() {
        assertThat(SluiceAttributes.redriven(Map.of(SluiceAttributes.REDRIVE_COUNT, "1"))).isTrue();
        assertThat(SluiceAttributes.redriven(Map.of(SluiceAttributes.FAILURE_KIND, "EXHAUSTED"))).isTrue();
    }

    @Test
    void notRedriven_forAnOriginalOrARepublishedRetry() {
        assertThat(SluiceAttributes.redriven(Map.of())).isFalse();
        assertThat(SluiceAttributes.redriven(Map.of(SluiceAttributes.ATTEMPT, "2", SluiceAttributes.FIRST_FAILURE_AT,
                "2030-01-01T00:00:00Z"))).isFalse();
    }
}
