package dev.sluice.aws;

import dev.sluice.aws.internal.SqsAttributes;
import dev.sluice.core.redrive.DeadLetter;
import dev.sluice.core.redrive.DeadLetterSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * An SQS dead-letter queue as the redrive engine reads it: {@code ReceiveMessage} hides each message for
 * {@code holdFor} (long enough for one scan), {@link #remove} deletes it, {@link #release} makes it visible
 * again at once ({@code ChangeMessageVisibility 0}). Attributes are unpacked (see the module's attribute
 * packing) and each dead letter carries them with their data types, its FIFO group and the system attributes,
 * so {@link SqsRedriveTarget} and an export keep everything. Bodies are carried as bytes and never parsed.
 */
public final class SqsDeadLetterSource implements DeadLetterSource {
    private final SqsClient sqs;
    private final String queueUrl;
    private final Duration holdFor;

    /**
     * @param sqs the client
     * @param queueUrl the dead-letter queue's URL
     * @param holdFor how long received messages stay hidden (at least the expected scan time)
     */
    public SqsDeadLetterSource(SqsClient sqs, String queueUrl, Duration holdFor) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.holdFor = Objects.requireNonNull(holdFor, "holdFor");
        if (holdFor.toSeconds() < 1 || holdFor.toSeconds() > 43_200) {
            throw new IllegalArgumentException("holdFor must be between 1 second and 12 hours, got " + holdFor);
        }
    }

    @Override
    public String name() {
        return queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }

    @Override
    public List<DeadLetter> receive(int max) {
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                .maxNumberOfMessages(Math.max(1, Math.min(10, max)))
                .visibilityTimeout((int) holdFor.toSeconds())
                .waitTimeSeconds(1)
                .messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        List<DeadLetter> deadLetters = new ArrayList<>(messages.size());
        for (Message message : messages) {
            deadLetters.add(deadLetter(message));
        }
        return deadLetters;
    }

    /**
     * @param message a message received with all attributes and system attributes
     * @return it as a dead letter: typed attributes unpacked, FIFO group, system attributes, enqueued at its
     *     {@code SentTimestamp}
     */
    static DeadLetter deadLetter(Message message) {
        Map<String, String> system = new LinkedHashMap<>(message.attributesAsStrings());
        String sent = system.get(MessageSystemAttributeName.SENT_TIMESTAMP.toString());
        Instant enqueuedAt = sent == null ? Instant.EPOCH : Instant.ofEpochMilli(Long.parseLong(sent));
        return DeadLetter.typed(message.receiptHandle(), message.messageId(), message.body().getBytes(StandardCharsets.UTF_8),
                SqsAttributes.toCore(SqsAttributes.unpack(message.messageAttributes())), enqueuedAt,
                system.get(MessageSystemAttributeName.MESSAGE_GROUP_ID.toString()), null, system);
    }

    @Override
    public void remove(DeadLetter deadLetter) {
        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(deadLetter.handle()));
    }

    @Override
    public void release(DeadLetter deadLetter) {
        sqs.changeMessageVisibility(r -> r.queueUrl(queueUrl).receiptHandle(deadLetter.handle()).visibilityTimeout(0));
    }
}
