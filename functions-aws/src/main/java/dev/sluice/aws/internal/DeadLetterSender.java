package dev.sluice.aws.internal;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.sluice.core.observability.StructuredLog;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.pipeline.MessageOutcome;
import dev.sluice.core.redrive.SluiceAttributes;
import dev.sluice.core.spi.LogSink;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * Sends dead letters to their dead-letter queue: batched, body unchanged, the envelope (made safe for SQS by
 * the core) beside the producer's attributes. A dead letter SQS refuses for what it contains (an attribute
 * or parameter value, its size) is sent again with the minimal envelope, so it still arrives as a Sluice
 * dead letter that redrive filters see. What still cannot be sent is reported back for a retry.
 */
final class DeadLetterSender {
    /** SQS's limit of entries per batch request. */
    private static final int SQS_BATCH = 10;
    /** Sender-fault codes by which SQS refuses a message for its content (SendMessage and batch entries). */
    private static final Set<String> REJECTED = Set.of("InvalidAttributeValue", "InvalidAttributeName",
            "InvalidParameterValue", "InvalidMessageContents", "MessageTooLong", "BatchRequestTooLong");

    private final SqsClient sqs;
    private final QueueDirectory queues;
    private final StructuredLog log;
    private final Tracing tracing;

    DeadLetterSender(SqsClient sqs, QueueDirectory queues, StructuredLog log, Tracing tracing) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queues = Objects.requireNonNull(queues, "queues");
        this.log = Objects.requireNonNull(log, "log");
        this.tracing = Objects.requireNonNull(tracing, "tracing");
    }

    /**
     * A dead letter on its way: the record's index in the event, the record, its outcome, and its message's span
     * (the parent of its send span).
     */
    record Letter(int index, SQSEvent.SQSMessage record, MessageOutcome.DeadLettered outcome, SpanContext span) {}

    /**
     * @param letters the dead letters of one event
     * @return those that were not sent
     */
    List<Letter> send(List<Letter> letters) {
        List<Letter> failed = new ArrayList<>();
        Map<String, List<Letter>> byDlq = new LinkedHashMap<>();
        for (Letter letter : letters) {
            try {
                Optional<String> dlq = queues.deadLetterQueueUrl(QueueArn.parse(letter.record().getEventSourceArn()));
                if (dlq.isEmpty()) {
                    log.log(LogSink.Level.ERROR, "no dead-letter queue configured or in the queue's redrive policy;"
                            + " the message is retried", BatchActions.fields(letter.record(), "dead_letter_send"), null);
                    failed.add(letter);
                } else {
                    byDlq.computeIfAbsent(dlq.get(), k -> new ArrayList<>()).add(letter);
                }
            } catch (RuntimeException e) {
                log.log(LogSink.Level.ERROR, "cannot resolve the dead-letter queue; the message is retried",
                        BatchActions.fields(letter.record(), "dead_letter_send"), e);
                failed.add(letter);
            }
        }
        byDlq.forEach((url, forQueue) -> {
            for (int from = 0; from < forQueue.size(); from += SQS_BATCH) {
                List<Letter> chunk = forQueue.subList(from, Math.min(forQueue.size(), from + SQS_BATCH));
                List<Letter> rejected = new ArrayList<>();
                sendChunk(url, chunk, false, rejected, failed);
                if (!rejected.isEmpty()) {
                    sendChunk(url, rejected, true, new ArrayList<>(), failed);
                }
            }
        });
        return failed;
    }

    private void sendChunk(String url, List<Letter> chunk, boolean minimal, List<Letter> rejected, List<Letter> failed) {
        Map<String, Letter> byId = new LinkedHashMap<>();
        Map<String, Span> spans = new LinkedHashMap<>();
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        String dlq = url.substring(url.lastIndexOf('/') + 1);
        for (Letter letter : chunk) {
            String id = Integer.toString(letter.index());
            byId.put(id, letter);
            // one send span per dead letter, under its message's span; the copy carries it as its trace context
            Span span = tracing.startChild(letter.span(), "send " + dlq, SpanKind.PRODUCER, SqsMessages.MESSAGING_SYSTEM, dlq, "send");
            spans.put(id, span);
            try (Scope ignored = span.makeCurrent()) {
                entries.add(entry(letter, SqsFifo.isFifo(url), minimal));
            }
        }
        try {
            SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(url).entries(entries));
            for (BatchResultErrorEntry error : response.failed()) {
                Letter letter = byId.get(error.id());
                spans.get(error.id()).setStatus(StatusCode.ERROR, error.code());
                refused(letter, minimal, Boolean.TRUE.equals(error.senderFault()) && isRejection(error.code()),
                        error.code(), null, rejected, failed);
            }
        } catch (SqsException e) {
            spans.values().forEach(span -> span.setStatus(StatusCode.ERROR, errorCode(e)));
            if (chunk.size() > 1 && isRejection(e)) {
                // the request as a whole was refused for its content: one at a time tells which letters caused it
                for (Letter letter : chunk) {
                    sendChunk(url, List.of(letter), minimal, rejected, failed);
                }
            } else {
                for (Letter letter : chunk) {
                    refused(letter, minimal, isRejection(e), errorCode(e), e, rejected, failed);
                }
            }
        } catch (RuntimeException e) {
            for (Letter letter : chunk) {
                refused(letter, minimal, false, e.getClass().getSimpleName(), e, rejected, failed);
            }
        } finally {
            spans.values().forEach(Span::end);
        }
    }

    private void refused(Letter letter, boolean minimal, boolean rejection, String code, Throwable error,
                         List<Letter> rejected, List<Letter> failed) {
        if (rejection && !minimal) {
            log.log(LogSink.Level.WARN, "dead letter refused (" + code + "); sending it with the minimal envelope",
                    BatchActions.fields(letter.record(), "dead_letter_send"), error);
            rejected.add(letter);
        } else {
            log.log(LogSink.Level.ERROR, "dead-letter send failed (" + code + "); the message is retried",
                    BatchActions.fields(letter.record(), "dead_letter_send"), error);
            failed.add(letter);
        }
    }

    private static boolean isRejection(SqsException e) {
        return e.statusCode() == 400 && isRejection(errorCode(e));
    }

    private static boolean isRejection(String code) {
        // query-compatible codes may carry a prefix, e.g. AWS.SimpleQueueService.InvalidMessageContents
        return code != null && REJECTED.contains(code.substring(code.lastIndexOf('.') + 1));
    }

    private static String errorCode(SqsException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "" : e.awsErrorDetails().errorCode();
    }

    private static SendMessageBatchRequestEntry entry(Letter letter, boolean fifo, boolean minimal) {
        SQSEvent.SQSMessage record = letter.record();
        var envelope = letter.outcome().envelope();
        Map<String, MessageAttributeValue> originals = SqsAttributes.fromEvent(record.getMessageAttributes());
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        (minimal ? envelope.toMinimalAttributes() : envelope.toAttributes())
                .forEach((name, value) -> attributes.put(name, SqsAttributes.string(value)));
        originals.forEach((name, value) -> {
            // the envelope describes this failure; stale copies of it from an earlier life are dropped
            if (!attributes.containsKey(name) && !SluiceAttributes.FAILURE_ATTRIBUTES.contains(name)) {
                attributes.put(name, value);
            }
        });
        Map<String, String> trace = new LinkedHashMap<>();
        Tracing.inject(trace);
        trace.forEach((name, value) -> attributes.put(name, SqsAttributes.string(value)));
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder()
                .id(Integer.toString(letter.index()))
                .messageBody(record.getBody() == null ? "" : record.getBody())
                .messageAttributes(SqsAttributes.pack(attributes));
        if (fifo) {
            Map<String, String> system = record.getAttributes() == null ? Map.of() : record.getAttributes();
            entry.messageGroupId(system.getOrDefault(SqsMessages.GROUP_ID, envelope.originalMessageId()))
                    // one delivery's dead letter is sent once, even when this batch call is retried
                    .messageDeduplicationId(SqsFifo.deduplicationId(record.getMessageId()));
        }
        return entry.build();
    }
}
