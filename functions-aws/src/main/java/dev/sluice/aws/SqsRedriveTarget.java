package dev.sluice.aws;

import dev.sluice.aws.internal.SqsAttributes;
import dev.sluice.aws.internal.SqsFifo;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.RedriveTarget;
import dev.sluice.core.redrive.SluiceAttributes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The queue redriven dead letters go back to: one {@code SendMessage} per dead letter, body unchanged,
 * attributes packed to SQS's limit of 10 with the dead letter's data types kept (binary ones included). On a FIFO
 * queue the copy keeps its message group (else its stable id is the group) and gets a deduplication id derived from
 * its stable id and redrive count, so a re-sent copy after a crash is dropped by SQS.
 */
public final class SqsRedriveTarget implements RedriveTarget {
    private final SqsClient sqs;
    private final String queueUrl;

    /**
     * @param sqs the client
     * @param queueUrl the target queue's URL
     */
    public SqsRedriveTarget(SqsClient sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    }

    @Override
    public String name() {
        return queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }

    @Override
    public void send(DeadLetter deadLetter, byte[] body, Map<String, String> attributes) {
        Map<String, MessageAttributeValue> typed = SqsAttributes.pack(SqsAttributes.fromCore(deadLetter.typed(attributes)));
        String text = new String(body, StandardCharsets.UTF_8);
        sqs.sendMessage(r -> {
            r.queueUrl(queueUrl).messageBody(text).messageAttributes(typed);
            if (SqsFifo.isFifo(queueUrl)) {
                String group = deadLetter.groupId();
                r.messageGroupId(group != null ? group : deadLetter.originalMessageId())
                        .messageDeduplicationId(SqsFifo.deduplicationId(deadLetter.originalMessageId(),
                                attributes.getOrDefault(SluiceAttributes.REDRIVE_COUNT, "0")));
            }
        });
    }
}
