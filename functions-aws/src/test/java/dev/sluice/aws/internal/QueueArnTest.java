package dev.sluice.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueueArnTest {

    @Test
    void anSqsArn_isParsedIntoRegionAccountAndName() {
        // GIVEN / WHEN
        QueueArn arn = QueueArn.parse("arn:aws:sqs:eu-west-1:123456789012:orders.fifo");
        // THEN
        assertThat(arn.region()).isEqualTo("eu-west-1");
        assertThat(arn.account()).isEqualTo("123456789012");
        assertThat(arn.name()).isEqualTo("orders.fifo");
        assertThat(arn.fifo()).isTrue();
    }

    @Test
    void anotherServicesArn_isRejectedWithTheValue() {
        assertThatThrownBy(() -> QueueArn.parse("arn:aws:sns:eu-west-1:123456789012:topic"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arn:aws:sns");
    }

    @Test
    void theRedrivePolicyTarget_isReadFromTheQueueAttribute() {
        assertThat(QueueDirectory.redrivePolicyTarget("{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:1:orders-dlq\",\"maxReceiveCount\":5}"))
                .hasValueSatisfying(arn -> assertThat(arn.name()).isEqualTo("orders-dlq"));
        assertThat(QueueDirectory.redrivePolicyTarget(null)).isEmpty();
        assertThat(QueueDirectory.redrivePolicyTarget("not json")).isEmpty();
    }

    @Test
    void retryDelays_roundUpToWholeSeconds_withinSqsLimits() {
        assertThat(BatchActions.seconds(Duration.ZERO)).isZero();
        assertThat(BatchActions.seconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(BatchActions.seconds(Duration.ofMillis(1500))).isEqualTo(2);
        assertThat(BatchActions.seconds(Duration.ofDays(2))).isEqualTo(43_200);
    }
}
