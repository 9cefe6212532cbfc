package dev.sluice.aws.internal;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.pipeline.BatchResult;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.pipeline.RetryPolicy;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.spi.LogSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;

/**
 * Turns a batch's outcomes into SQS actions and the {@link SQSBatchResponse}: {@code Retry(delay)}
 * becomes a batch item failure plus a (batched) {@code ChangeMessageVisibility} to the delay;
 * {@code DeadLettered} becomes a (batched) {@code SendMessage} to the dead-letter queue with the envelope,
 * after which the message counts as done (see {@link DeadLetterSender}: a dead letter SQS refuses is sent
 * again with the minimal envelope); a dead letter that cannot be sent at all falls back to a retry after the
 * retry policy's backoff for its attempt, so the message is never lost (the queue's own redrive policy
 * remains the last resort).
 */
public final class BatchActions {
    /** SQS's limit of entries per batch request. */
    private static final int SQS_BATCH = 10;
    /** SQS's longest visibility timeout: 12 hours. */
    private static final long MAX_VISIBILITY_SECONDS = 43_200;

    private final SqsClient sqs;
    private final QueueDirectory queues;
    private final RetryPolicy retryPolicy;
    private final RandomGenerator random;
    private final StructuredLog log;
    private final DeadLetterSender deadLetters;
    private final Tracing tracing;

    /**
     * @param sqs the client
     * @param queues queue URL resolution
     * @param retryPolicy whose backoff delays a dead letter that could not be sent
     * @param random the backoff's jitter
     * @param log where the adapter's own events go
     * @param tracing where the spans of dead-letter sends and visibility changes go
     */
    public BatchActions(SqsClient sqs, QueueDirectory queues, RetryPolicy retryPolicy, RandomGenerator random, StructuredLog log,
                        Tracing tracing) {
        this.tracing = Objects.requireNonNull(tracing, "tracing");
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.random = Objects.requireNonNull(random, "random");
        this.log = Objects.requireNonNull(log, "log");
        this.deadLetters = new DeadLetterSender(sqs, queues, log, tracing);
    }

    /** A record, its retry delay and its message's span. */
    private record PendingRetry(SQSEvent.SQSMessage record, Duration delay, SpanContext span) {}

    /**
     * @param records the event's records, in order
     * @param result one outcome per record, same order, with each message's span (the parent of its send or
     *     visibility change)
     * @return the response: every retried message, and every dead letter that could not be sent, as a batch
     *     item failure
     */
    public SQSBatchResponse apply(List<SQSEvent.SQSMessage> records, BatchResult result) {
        List<MessageOutcome> outcomes = result.outcomes();
        if (records.size() != outcomes.size()) {
            throw new IllegalArgumentException("one outcome per record expected: " + records.size() + " records, "
                    + outcomes.size() + " outcomes");
        }
        Map<Integer, PendingRetry> retries = new LinkedHashMap<>();
        List<DeadLetterSender.Letter> letters = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            switch (outcomes.get(i)) {
                case MessageOutcome.Retry retry -> retries.put(i, new PendingRetry(records.get(i), retry.delay(),
                        result.spanContexts().get(i)));
                case MessageOutcome.DeadLettered dead -> letters.add(new DeadLetterSender.Letter(i, records.get(i), dead,
                        result.spanContexts().get(i)));
                case MessageOutcome.Processed p -> { }
                case MessageOutcome.Duplicate d -> { }
            }
        }
        for (DeadLetterSender.Letter unsent : deadLetters.send(letters)) {
            retries.put(unsent.index(), new PendingRetry(unsent.record(), backoff(unsent.outcome().envelope().attempts()),
                    unsent.span()));
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
                String queue = url.substring(url.lastIndexOf('/') + 1);
                Map<String, Span> spans = new LinkedHashMap<>();
                chunk.forEach(e -> spans.put(Integer.toString(e.getKey()), tracing.startChild(e.getValue().span(),
                        "change visibility " + queue, SpanKind.CLIENT, SqsMessages.MESSAGING_SYSTEM, queue, "settle")));
                try {
                    ChangeMessageVisibilityBatchResponse response = sqs.changeMessageVisibilityBatch(r -> r.queueUrl(url).entries(requests));
                    for (BatchResultErrorEntry error : response.failed()) {
                        spans.get(error.id()).setStatus(StatusCode.ERROR, error.code());
                        log.log(LogSink.Level.WARN, "visibility change failed (" + error.code() + "); the message returns"
                                + " after the queue's visibility timeout",
                                fields(retries.get(Integer.parseInt(error.id())).record(), "change_visibility"), null);
                    }
                } catch (RuntimeException e) {
                    spans.values().forEach(span -> span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName()));
                    log.log(LogSink.Level.WARN, "visibility change failed; the messages return after the queue's"
                            + " visibility timeout", Map.of("operation", "change_visibility", "messages", chunk.size()), e);
                } finally {
                    spans.values().forEach(Span::end);
                }
            }
        });
    }

    private Duration backoff(int attempts) {
        // the injected generator need not be thread-safe, and consumers may share one
        synchronized (random) {
            return retryPolicy.backoff().delay(Math.max(1, attempts), random);
        }
    }

    /** Rounds up, so a retry never comes back earlier than its backoff. */
    static int seconds(Duration delay) {
        long seconds = delay.toSeconds() + (delay.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, seconds));
    }

    static Map<String, Object> fields(SQSEvent.SQSMessage record, String operation) {
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
