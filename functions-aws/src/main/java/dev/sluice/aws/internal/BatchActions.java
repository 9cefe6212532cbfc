package dev.sluice.aws.internal;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.core.MessageOutcome;
import dev.sluice.core.SluiceAttributes;
import dev.sluice.core.internal.StructuredLog;
import dev.sluice.core.internal.Texts;
import dev.sluice.core.spi.LogSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Turns a batch's outcomes into SQS actions and the {@link SQSBatchResponse}: {@code Retry(delay)}
 * becomes a batch item failure plus a (batched) {@code ChangeMessageVisibility} to the delay;
 * {@code DeadLettered} becomes a (batched) {@code SendMessage} to the dead-letter queue with the envelope,
 * after which the message counts as done; a dead letter that cannot be sent falls back to a retry, so
 * the message is never lost (the queue's own redrive policy remains the last resort).
 */
public final class BatchActions {
    /** SQS's limit of entries per batch request. */
    private static final int SQS_BATCH = 10;
    /** SQS's longest visibility timeout: 12 hours. */
    private static final long MAX_VISIBILITY_SECONDS = 43_200;

    private final SqsClient sqs;
    private final QueueDirectory queues;
    private final Duration deadLetterFallbackDelay;
    private final StructuredLog log;

    /**
     * @param sqs the client
     * @param queues queue URL resolution
     * @param deadLetterFallbackDelay the retry delay of a dead letter that could not be sent
     * @param log where the adapter's own events go
     */
    public BatchActions(SqsClient sqs, QueueDirectory queues, Duration deadLetterFallbackDelay, StructuredLog log) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.deadLetterFallbackDelay = Objects.requireNonNull(deadLetterFallbackDelay, "deadLetterFallbackDelay");
        this.log = Objects.requireNonNull(log, "log");
    }

    /** A record and its retry delay. */
    private record PendingRetry(SQSEvent.SQSMessage record, Duration delay) {}

    /**
     * @param records the event's records, in order
     * @param outcomes one outcome per record, same order
     * @return the response: every retried message, and every dead letter that could not be sent, as a batch
     *     item failure
     */
    public SQSBatchResponse apply(List<SQSEvent.SQSMessage> records, List<MessageOutcome> outcomes) {
        if (records.size() != outcomes.size()) {
            throw new IllegalArgumentException("one outcome per record expected: " + records.size() + " records, "
                    + outcomes.size() + " outcomes");
        }
        Map<Integer, PendingRetry> retries = new LinkedHashMap<>();
        Map<Integer, MessageOutcome.DeadLettered> deadLetters = new LinkedHashMap<>();
        for (int i = 0; i < records.size(); i++) {
            switch (outcomes.get(i)) {
                case MessageOutcome.Retry retry -> retries.put(i, new PendingRetry(records.get(i), retry.delay()));
                case MessageOutcome.DeadLettered dead -> deadLetters.put(i, dead);
                case MessageOutcome.Processed p -> { }
                case MessageOutcome.Duplicate d -> { }
            }
        }
        for (int failed : sendDeadLetters(records, deadLetters)) {
            retries.put(failed, new PendingRetry(records.get(failed), deadLetterFallbackDelay));
        }
        changeVisibility(retries);
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            if (retries.containsKey(i)) {
                failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(records.get(i).getMessageId()).build());
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /** @return indices of the dead letters that were not sent */
    private List<Integer> sendDeadLetters(List<SQSEvent.SQSMessage> records, Map<Integer, MessageOutcome.DeadLettered> deadLetters) {
        List<Integer> failed = new ArrayList<>();
        Map<String, List<Integer>> byDlq = new LinkedHashMap<>();
        for (int index : deadLetters.keySet()) {
            SQSEvent.SQSMessage record = records.get(index);
            try {
                Optional<String> dlq = queues.deadLetterQueueUrl(QueueArn.parse(record.getEventSourceArn()));
                if (dlq.isEmpty()) {
                    log.log(LogSink.Level.ERROR, "no dead-letter queue configured or in the queue's redrive policy;"
                            + " the message is retried", fields(record, "dead_letter_send"), null);
                    failed.add(index);
                } else {
                    byDlq.computeIfAbsent(dlq.get(), k -> new ArrayList<>()).add(index);
                }
            } catch (RuntimeException e) {
                log.log(LogSink.Level.ERROR, "cannot resolve the dead-letter queue; the message is retried",
                        fields(record, "dead_letter_send"), e);
                failed.add(index);
            }
        }
        byDlq.forEach((url, indices) -> {
            boolean fifo = url.endsWith(".fifo");
            for (int from = 0; from < indices.size(); from += SQS_BATCH) {
                List<Integer> chunk = indices.subList(from, Math.min(indices.size(), from + SQS_BATCH));
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int index : chunk) {
                    entries.add(deadLetterEntry(index, records.get(index), deadLetters.get(index), fifo));
                }
                try {
                    SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(url).entries(entries));
                    for (BatchResultErrorEntry error : response.failed()) {
                        int index = Integer.parseInt(error.id());
                        log.log(LogSink.Level.ERROR, "dead-letter send failed (" + error.code() + "); the message is retried",
                                fields(records.get(index), "dead_letter_send"), null);
                        failed.add(index);
                    }
                } catch (RuntimeException e) {
                    for (int index : chunk) {
                        log.log(LogSink.Level.ERROR, "dead-letter send failed; the message is retried",
                                fields(records.get(index), "dead_letter_send"), e);
                        failed.add(index);
                    }
                }
            }
        });
        return failed;
    }

    private static SendMessageBatchRequestEntry deadLetterEntry(int index, SQSEvent.SQSMessage record,
                                                                MessageOutcome.DeadLettered dead, boolean fifo) {
        Map<String, MessageAttributeValue> originals = SqsAttributes.fromEvent(record.getMessageAttributes());
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        dead.envelope().toAttributes().forEach((name, value) -> attributes.put(name, SqsAttributes.string(value)));
        originals.forEach((name, value) -> {
            // the envelope describes this failure; stale copies of it from an earlier life are dropped
            if (!attributes.containsKey(name) && !name.equals(SluiceAttributes.ATTEMPT)) {
                attributes.put(name, value);
            }
        });
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
                .id(Integer.toString(index))
                .messageBody(record.getBody() == null ? "" : record.getBody())
                .messageAttributes(SqsAttributes.pack(attributes));
        if (fifo) {
            Map<String, String> system = record.getAttributes() == null ? Map.of() : record.getAttributes();
            String group = system.getOrDefault(SqsMessages.GROUP_ID, dead.envelope().originalMessageId());
            entry.messageGroupId(group)
                    // one delivery's dead letter is sent once, even when this batch call is retried
                    .messageDeduplicationId(Texts.sha256Hex(record.getMessageId().getBytes(StandardCharsets.UTF_8)).substring(0, 64));
        }
        return entry.build();
    }

    private void changeVisibility(Map<Integer, PendingRetry> retries) {
        Map<String, List<Map.Entry<Integer, PendingRetry>>> byQueue = new LinkedHashMap<>();
        for (Map.Entry<Integer, PendingRetry> retry : retries.entrySet()) {
            SQSEvent.SQSMessage record = retry.getValue().record();
            if (record.getReceiptHandle() == null) {
                continue;
            }
            try {
                String url = queues.queueUrl(QueueArn.parse(record.getEventSourceArn()));
                byQueue.computeIfAbsent(url, k -> new ArrayList<>()).add(retry);
            } catch (RuntimeException e) {
                log.log(LogSink.Level.WARN, "cannot resolve the queue URL; the message returns after the queue's"
                        + " visibility timeout", fields(record, "change_visibility"), e);
            }
        }
        byQueue.forEach((url, entries) -> {
            for (int from = 0; from < entries.size(); from += SQS_BATCH) {
                List<Map.Entry<Integer, PendingRetry>> chunk = entries.subList(from, Math.min(entries.size(), from + SQS_BATCH));
                List<ChangeMessageVisibilityBatchRequestEntry> requests = chunk.stream()
                        .map(e -> ChangeMessageVisibilityBatchRequestEntry.builder()
                                .id(Integer.toString(e.getKey()))
                                .receiptHandle(e.getValue().record().getReceiptHandle())
                                .visibilityTimeout(seconds(e.getValue().delay()))
                                .build())
                        .toList();
                try {
                    ChangeMessageVisibilityBatchResponse response = sqs.changeMessageVisibilityBatch(r -> r.queueUrl(url).entries(requests));
                    for (BatchResultErrorEntry error : response.failed()) {
                        log.log(LogSink.Level.WARN, "visibility change failed (" + error.code() + "); the message returns"
                                + " after the queue's visibility timeout",
                                fields(retries.get(Integer.parseInt(error.id())).record(), "change_visibility"), null);
                    }
                } catch (RuntimeException e) {
                    log.log(LogSink.Level.WARN, "visibility change failed; the messages return after the queue's"
                            + " visibility timeout", Map.of("operation", "change_visibility", "messages", chunk.size()), e);
                }
            }
        });
    }

    /** Rounds up, so a retry never comes back earlier than its backoff. */
    static int seconds(Duration delay) {
        long seconds = delay.toSeconds() + (delay.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, seconds));
    }

    private static Map<String, Object> fields(SQSEvent.SQSMessage record, String operation) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("message_id", Objects.requireNonNullElse(record.getMessageId(), ""));
        SQSEvent.MessageAttribute correlation = record.getMessageAttributes() == null ? null
                : record.getMessageAttributes().get(SluiceAttributes.CORRELATION_ID);
        fields.put("correlation_id", correlation == null || correlation.getStringValue() == null ? "" : correlation.getStringValue());
        fields.put("operation", operation);
        Map<String, String> system = record.getAttributes();
        if (system != null && system.get(SqsMessages.RECEIVE_COUNT) != null) {
            fields.put("delivery_count", system.get(SqsMessages.RECEIVE_COUNT));
        }
        return fields;
    }
}
