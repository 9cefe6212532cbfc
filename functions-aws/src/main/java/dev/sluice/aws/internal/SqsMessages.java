package dev.sluice.aws.internal;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.core.pipeline.IncomingMessage;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Turns Lambda's SQS event records into the pipeline's input. */
public final class SqsMessages {
    /** System attribute: how often SQS delivered the message. */
    public static final String RECEIVE_COUNT = "ApproximateReceiveCount";
    /** System attribute: the FIFO message group. */
    public static final String GROUP_ID = "MessageGroupId";
    /** System attribute: when SQS accepted the message, epoch milliseconds. */
    public static final String SENT_TIMESTAMP = "SentTimestamp";
    /** The system attribute with the X-Ray trace header SQS keeps for the producer. */
    public static final String TRACE_HEADER = "AWSTraceHeader";
    /** The OpenTelemetry {@code messaging.system} of SQS. */
    public static final String MESSAGING_SYSTEM = "aws_sqs";

    private SqsMessages() {}

    /**
     * @param record a record of an {@code SQSEvent}
     * @return the message as the pipeline takes it: id, body, text attributes (unpacked), group, delivery
     *     count, enqueue time and source queue name
     * @throws IllegalArgumentException when the record lacks a message id or a readable source ARN
     */
    public static IncomingMessage toIncoming(SQSEvent.SQSMessage record) {
        Map<String, String> system = record.getAttributes() == null ? Map.of() : record.getAttributes();
        QueueArn source = QueueArn.parse(record.getEventSourceArn());
        return IncomingMessage.builder()
                .providerMessageId(record.getMessageId())
                .body(record.getBody() == null ? "" : record.getBody())
                .attributes(SqsAttributes.toText(SqsAttributes.fromEvent(record.getMessageAttributes())))
                .groupKey(system.get(GROUP_ID))
                .deliveryCount(positive(system.get(RECEIVE_COUNT)))
                .enqueuedAt(epochMillis(system.get(SENT_TIMESTAMP)))
                .sourceQueue(source.name())
                .traceHeader(system.get(TRACE_HEADER))
                .build();
    }

    private static int positive(@Nullable String value) {
        if (value == null) {
            return 1;
        }
        try {
            return Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static @Nullable Instant epochMillis(@Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
