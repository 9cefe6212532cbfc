package dev.sluice.cli.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqsDlqBackendTest {
    @Test
    void toMove_isWhatTheProviderReports_orUnknown() {
        // GIVEN ListMessageMoveTasks entries as SQS and ElasticMQ report them
        // WHEN read, THEN a reported total is kept ...
        assertThat(SqsDlqBackend.toMove(3, 5L)).isEqualTo(5L);
        assertThat(SqsDlqBackend.toMove(0, 0L)).isZero();
        assertThat(SqsDlqBackend.toMove(5, 5L)).isEqualTo(5L);
        // ... and an absent one, or one below what was moved (ElasticMQ's 0 after completion), is unknown
        assertThat(SqsDlqBackend.toMove(3, null)).isNull();
        assertThat(SqsDlqBackend.toMove(3, 0L)).isNull();
        assertThat(SqsDlqBackend.toMove(0, -1L)).isNull();
    }
}
