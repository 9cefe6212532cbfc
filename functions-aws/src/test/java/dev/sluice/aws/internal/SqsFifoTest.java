package dev.sluice.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqsFifoTest {
    @Test
    void isFifo_shouldRecogniseAFifoQueueByName_urlOrArn() {
        assertThat(SqsFifo.isFifo("orders.fifo")).isTrue();
        assertThat(SqsFifo.isFifo("https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo")).isTrue();
        assertThat(SqsFifo.isFifo("arn:aws:sqs:eu-west-1:123456789012:orders.fifo")).isTrue();
        assertThat(SqsFifo.isFifo("orders-fifo")).isFalse();
        assertThat(QueueArn.parse("arn:aws:sqs:eu-west-1:123456789012:orders.fifo").fifo()).isTrue();
    }

    @Test
    void deduplicationId_shouldBeTheSameForTheSameSend_andDifferForAnother() {
        // GIVEN the same dead letter sent twice, and a redriven copy with its count
        String first = SqsFifo.deduplicationId("msg-1");

        // THEN a repeat is recognised by SQS, a later redrive is not mistaken for it, and SQS's 128-character limit holds
        assertThat(SqsFifo.deduplicationId("msg-1")).isEqualTo(first).hasSize(64).matches("[0-9a-f]+");
        assertThat(SqsFifo.deduplicationId("msg-1", "1")).isNotEqualTo(SqsFifo.deduplicationId("msg-1", "2"))
                .isNotEqualTo(first);
    }
}
