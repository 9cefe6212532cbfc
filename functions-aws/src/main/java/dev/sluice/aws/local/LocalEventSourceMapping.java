package dev.sluice.aws.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A local stand-in for Lambda's SQS event source mapping with {@code ReportBatchItemFailures}: polls a
 * queue (any SQS endpoint, e.g. ElasticMQ), gathers a batch (batch size, batching window), builds a real
 * {@link SQSEvent} as Lambda does, invokes the function with a {@link LocalLambdaContext}, then deletes
 * what succeeded. Reported failures are not touched: they come back after their visibility timeout and the
 * queue's redrive policy moves them after {@code maxReceiveCount}, exactly as on AWS. As on AWS, a function
 * that throws, or a response naming an id that is not in the batch, fails the whole batch.
 */
public final class LocalEventSourceMapping implements AutoCloseable {
    private static final int RECEIVE_MAX = 10;

    private final SqsClient sqs;
    private final String queueUrl;
    private final RequestHandler<SQSEvent, SQSBatchResponse> function;
    private final int batchSize;
    private final Duration batchingWindow;
    private final Duration functionTimeout;
    private final Duration pollWait;
    private final String functionName;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();
    private @Nullable String queueArn;
    private @Nullable Thread poller;

    private LocalEventSourceMapping(Builder b) {
        this.sqs = Objects.requireNonNull(b.sqs);
        this.queueUrl = Objects.requireNonNull(b.queueUrl);
        this.function = Objects.requireNonNull(b.function);
        this.batchSize = b.batchSize;
        this.batchingWindow = b.batchingWindow;
        this.functionTimeout = b.functionTimeout;
        this.pollWait = b.pollWait;
        this.functionName = b.functionName;
        this.clock = b.clock;
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Receives one batch (waiting up to the poll wait for the first message, then up to the batching window
     * for more), invokes the function once, and deletes what succeeded.
     *
     * @return what happened
     */
    public PollResult pollOnce() {
        List<Message> batch = gather();
        if (batch.isEmpty()) {
            return PollResult.EMPTY;
        }
        SQSEvent event = toEvent(batch);
        SQSBatchResponse response;
        try {
            response = function.handleRequest(event, new LocalLambdaContext(functionName, functionTimeout, clock));
        } catch (RuntimeException | Error e) {
            return new PollResult(batch.size(), 0, batch.size(), true);
        }
        Set<String> failed = failedIds(batch, response);
        if (failed == null) {
            return new PollResult(batch.size(), 0, batch.size(), false);
        }
        List<Message> succeeded = batch.stream().filter(m -> !failed.contains(m.messageId())).toList();
        delete(succeeded);
        return new PollResult(batch.size(), succeeded.size(), batch.size() - succeeded.size(), false);
    }

    /**
     * Polls until the queue holds no message at all (visible, in flight or delayed) or {@code timeout}
     * passes: the messages that failed come back after their visibility timeout and are polled again.
     *
     * @param timeout the longest to keep polling
     * @return whether the queue was drained
     */
    public boolean drain(Duration timeout) {
        Instant until = clock.instant().plus(timeout);
        while (clock.instant().isBefore(until)) {
            if (pollOnce().received() == 0 && isEmpty()) {
                return true;
            }
        }
        return isEmpty();
    }

    /** @return whether the queue holds no visible, in-flight or delayed message */
    public boolean isEmpty() {
        Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return attributes.values().stream().mapToLong(Long::parseLong).sum() == 0;
    }

    /** Starts polling on a background virtual thread until {@link #close()}. */
    public synchronized void start() {
        if (running.compareAndSet(false, true)) {
            poller = Thread.ofVirtual().name("sluice-local-esm").start(() -> {
                while (running.get()) {
                    try {
                        pollOnce();
                    } catch (RuntimeException e) {
                        if (running.get()) {
                            sleepQuietly(Duration.ofMillis(200));
                        }
                    }
                }
            });
        }
    }

    /** Stops polling and waits for the current poll to end. */
    @Override
    public synchronized void close() {
        running.set(false);
        if (poller != null) {
            try {
                poller.join(pollWait.plus(functionTimeout).plusSeconds(1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            poller = null;
        }
    }

    private List<Message> gather() {
        List<Message> batch = new ArrayList<>();
        batch.addAll(receive(Math.min(RECEIVE_MAX, batchSize), (int) pollWait.toSeconds()));
        if (batch.isEmpty()) {
            return batch;
        }
        Instant windowEnds = clock.instant().plus(batchingWindow);
        while (batch.size() < batchSize && clock.instant().isBefore(windowEnds)) {
            long left = Duration.between(clock.instant(), windowEnds).toSeconds();
            List<Message> more = receive(Math.min(RECEIVE_MAX, batchSize - batch.size()), (int) Math.min(20, Math.max(0, left)));
            if (more.isEmpty() && left <= 0) {
                break;
            }
            batch.addAll(more);
        }
        return batch;
    }

    private List<Message> receive(int max, int waitSeconds) {
        return sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                .maxNumberOfMessages(max)
                .waitTimeSeconds(Math.max(0, Math.min(20, waitSeconds)))
                .messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    private String queueArn() {
        if (queueArn == null) {
            queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
        }
        return queueArn;
    }

    private SQSEvent toEvent(List<Message> batch) {
        String arn = queueArn();
        String region = arn.split(":")[3];
        List<SQSEvent.SQSMessage> records = new ArrayList<>(batch.size());
        for (Message message : batch) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setMd5OfBody(message.md5OfBody());
            record.setMd5OfMessageAttributes(message.md5OfMessageAttributes());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(arn);
            record.setAwsRegion(region);
            record.setAttributes(new LinkedHashMap<>(message.attributesAsStrings()));
            Map<String, SQSEvent.MessageAttribute> attributes = new LinkedHashMap<>();
            message.messageAttributes().forEach((name, value) -> attributes.put(name, toEventAttribute(value)));
            record.setMessageAttributes(attributes);
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    private static SQSEvent.MessageAttribute toEventAttribute(MessageAttributeValue value) {
        SQSEvent.MessageAttribute attribute = new SQSEvent.MessageAttribute();
        attribute.setDataType(value.dataType());
        attribute.setStringValue(value.stringValue());
        if (value.binaryValue() != null) {
            attribute.setBinaryValue(ByteBuffer.wrap(value.binaryValue().asByteArray()));
        }
        attribute.setStringListValues(List.of());
        attribute.setBinaryListValues(List.of());
        return attribute;
    }

    /** @return the ids reported as failed, or null when the response fails the whole batch */
    private static @Nullable Set<String> failedIds(List<Message> batch, @Nullable SQSBatchResponse response) {
        Set<String> failed = new HashSet<>();
        if (response == null || response.getBatchItemFailures() == null) {
            return failed;
        }
        Set<String> inBatch = new HashSet<>();
        batch.forEach(m -> inBatch.add(m.messageId()));
        for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
            String id = failure == null ? null : failure.getItemIdentifier();
            if (id == null || id.isBlank() || !inBatch.contains(id)) {
                return null;
            }
            failed.add(id);
        }
        return failed;
    }

    private void delete(List<Message> messages) {
        for (int from = 0; from < messages.size(); from += RECEIVE_MAX) {
            List<Message> chunk = messages.subList(from, Math.min(messages.size(), from + RECEIVE_MAX));
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(chunk.get(i).receiptHandle()).build());
            }
            sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builds a {@link LocalEventSourceMapping}; {@code sqsClient}, {@code queueUrl} and {@code function} are required. */
    public static final class Builder {
        private @Nullable SqsClient sqs;
        private @Nullable String queueUrl;
        private @Nullable RequestHandler<SQSEvent, SQSBatchResponse> function;
        private int batchSize = 10;
        private Duration batchingWindow = Duration.ZERO;
        private Duration functionTimeout = Duration.ofSeconds(30);
        private Duration pollWait = Duration.ofSeconds(1);
        private String functionName = "local-function";
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** @param sqs the client @return this */
        public Builder sqsClient(SqsClient sqs) {
            this.sqs = Objects.requireNonNull(sqs, "sqsClient");
            return this;
        }

        /** @param queueUrl the queue to poll @return this */
        public Builder queueUrl(String queueUrl) {
            this.queueUrl = queueUrl;
            return this;
        }

        /** @param function the Lambda handler to invoke @return this */
        public Builder function(RequestHandler<SQSEvent, SQSBatchResponse> function) {
            this.function = Objects.requireNonNull(function, "function");
            return this;
        }

        /** @param batchSize the most records per invocation, 1 to 10000 (default 10) @return this */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** @param window how long to gather records before invoking (default 0, at most 300 s) @return this */
        public Builder maximumBatchingWindow(Duration window) {
            this.batchingWindow = Objects.requireNonNull(window, "maximumBatchingWindow");
            return this;
        }

        /** @param timeout the function's timeout, the context's deadline (default 30 s) @return this */
        public Builder functionTimeout(Duration timeout) {
            this.functionTimeout = Objects.requireNonNull(timeout, "functionTimeout");
            return this;
        }

        /** @param wait the long-poll wait for the first record (default 1 s, at most 20 s) @return this */
        public Builder pollWait(Duration wait) {
            this.pollWait = Objects.requireNonNull(wait, "pollWait");
            return this;
        }

        /** @param functionName the function name the context reports @return this */
        public Builder functionName(String functionName) {
            this.functionName = Objects.requireNonNull(functionName, "functionName");
            return this;
        }

        /** @param clock the clock @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @return the mapping @throws IllegalArgumentException naming a missing or invalid property */
        public LocalEventSourceMapping build() {
            if (sqs == null) {
                throw new IllegalArgumentException("sqsClient is required");
            }
            if (queueUrl == null || queueUrl.isBlank()) {
                throw new IllegalArgumentException("queueUrl is required");
            }
            if (function == null) {
                throw new IllegalArgumentException("function is required");
            }
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("batchSize must be between 1 and 10000, got " + batchSize);
            }
            if (batchSize > RECEIVE_MAX && batchingWindow.isZero()) {
                throw new IllegalArgumentException("batchSize above 10 needs a maximumBatchingWindow, as on AWS");
            }
            if (batchingWindow.isNegative() || batchingWindow.compareTo(Duration.ofSeconds(300)) > 0) {
                throw new IllegalArgumentException("maximumBatchingWindow must be between 0 and 300 seconds, got " + batchingWindow);
            }
            if (functionTimeout.isNegative() || functionTimeout.isZero()) {
                throw new IllegalArgumentException("functionTimeout must be positive");
            }
            if (pollWait.isNegative() || pollWait.toSeconds() > 20) {
                throw new IllegalArgumentException("pollWait must be between 0 and 20 seconds, got " + pollWait);
            }
            return new LocalEventSourceMapping(this);
        }
    }
}
