package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqsDeadLetterQueueTest {
    @Test
    void toMove_isWhatTheProviderReports_orUnknown() {
        // GIVEN ListMessageMoveTasks entries as SQS and ElasticMQ report them
        // WHEN read, THEN a reported total is kept ...
        assertThat(SqsDeadLetterQueue.toMove(3, 5L)).isEqualTo(5L);
        assertThat(SqsDeadLetterQueue.toMove(0, 0L)).isZero();
        assertThat(SqsDeadLetterQueue.toMove(5, 5L)).isEqualTo(5L);
        // ... and an absent one, or one below what was moved (ElasticMQ's 0 after completion), is unknown
        assertThat(SqsDeadLetterQueue.toMove(3, null)).isNull();
        assertThat(SqsDeadLetterQueue.toMove(3, 0L)).isNull();
        assertThat(SqsDeadLetterQueue.toMove(0, -1L)).isNull();
    }
}
