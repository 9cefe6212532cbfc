package dev.sluice.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.aws.internal.SqsMessages;
import dev.sluice.aws.testing.EventJson;
import dev.sluice.core.pipeline.IncomingMessage;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SqsEventMappingTest {

    @Test
    void aFifoRecord_becomesAPipelineMessageWithGroupDeliveryCountAndAttributes() {
        // GIVEN AWS's documented FIFO event, read as the Lambda runtime reads it
        SQSEvent event = EventJson.sqsEvent(EventJson.resource("/events/sqs-fifo.json"));
        // WHEN its record is mapped
        IncomingMessage message = SqsMessages.toIncoming(event.getRecords().getFirst());
        // THEN id, group, receive count, enqueue time, source queue and text attributes carry over
        assertThat(message.providerMessageId()).isEqualTo("11d6ee51-4cc7-4302-9e22-7cd8afdaadf5");
        assertThat(message.groupKey()).contains("1");
        assertThat(message.deliveryCount()).isEqualTo(3);
        assertThat(message.enqueuedAt()).contains(Instant.ofEpochMilli(1573251510774L));
        assertThat(message.sourceQueue()).isEqualTo("fifo.fifo");
        assertThat(message.attributes()).containsEntry("Amount", "3").doesNotContainKey("Trace");
    }

    @Test
    void aStandardRecord_hasNoGroup_andItsCorrelationIdComesFromTheAttribute() {
        // GIVEN AWS's documented standard-queue event
        SQSEvent event = EventJson.sqsEvent(EventJson.resource("/events/sqs-standard.json"));
        // WHEN the first record is mapped
        IncomingMessage message = SqsMessages.toIncoming(event.getRecords().getFirst());
        // THEN it is ungrouped, first delivery, correlated
        assertThat(message.groupKey()).isEmpty();
        assertThat(message.deliveryCount()).isEqualTo(1);
        assertThat(message.correlationId()).contains("req-42");
        assertThat(message.id()).isEqualTo("059f36b4-87a3-44ab-83d2-661975830a7d");
    }
}
