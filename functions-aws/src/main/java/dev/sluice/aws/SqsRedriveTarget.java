package dev.sluice.aws;

import dev.sluice.aws.internal.SqsAttributes;
import dev.sluice.aws.internal.SqsFifo;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.RedriveTarget;
import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * The queue redriven dead letters go back to: one {@code SendMessage} per dead letter, body unchanged,
 * attributes packed to SQS's limit of 10 and data types kept. On a FIFO queue the copy keeps its message
 * group and gets a deduplication id derived from its stable id and redrive count, so a re-sent copy
 * after a crash is dropped by SQS.
 */
public final class SqsRedriveTarget implements RedriveTarget {
    private final SqsClient sqs;
    private final String queueUrl;
    private final @Nullable SqsDeadLetterSource source;

    /**
     * @param sqs the client
     * @param queueUrl the target queue's URL
     * @param source the source the dead letters come from, to keep their data types and FIFO groups; or null
     */
    public SqsRedriveTarget(SqsClient sqs, String queueUrl, @Nullable SqsDeadLetterSource source) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.source = source;
    }

    @Override
    public String name() {
        return queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }

    @Override
    public void send(DeadLetter deadLetter, byte[] body, Map<String, String> attributes) {
        Map<String, MessageAttributeValue> typed = SqsAttributes.pack(SqsAttributes.retype(attributes,
                source == null ? Map.of() : source.typedAttributes(deadLetter)));
        String text = new String(body, StandardCharsets.UTF_8);
        sqs.sendMessage(r -> {
            r.queueUrl(queueUrl).messageBody(text).messageAttributes(typed);
            if (SqsFifo.isFifo(queueUrl)) {
                String group = source == null ? null : source.groupId(deadLetter).orElse(null);
                r.messageGroupId(group != null ? group : deadLetter.originalMessageId())
                        .messageDeduplicationId(SqsFifo.deduplicationId(deadLetter.originalMessageId(),
                                attributes.getOrDefault(SluiceAttributes.REDRIVE_COUNT, "0")));
            }
        });
    }
}
