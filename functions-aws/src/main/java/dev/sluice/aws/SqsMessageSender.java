package dev.sluice.aws;

import dev.sluice.aws.internal.QueueUrls;
import dev.sluice.aws.internal.SqsAttributes;
import dev.sluice.aws.internal.SqsFifo;
import dev.sluice.aws.internal.SqsMessages;
import dev.sluice.core.claimcheck.ClaimCheck;
import dev.sluice.core.observability.Tracing;
import dev.sluice.core.sender.Envelope;
import dev.sluice.core.sender.MessageSender;
import dev.sluice.core.sender.OutboundMessage;
import dev.sluice.core.sender.SendMetrics;
import dev.sluice.core.sender.SendResult;
import dev.sluice.core.sender.SendRetry;
import dev.sluice.core.sender.SenderBuilder;
import dev.sluice.core.sender.SendSpan;
import dev.sluice.core.spi.MetricsSink;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * Sends to one SQS queue with {@code SendMessageBatch}: requests of at most {@value #MAX_ENTRIES} entries and
 * {@value #MAX_REQUEST_BYTES} bytes, the failed entries of a partial batch (and a request that failed as a whole)
 * retried with backoff, attributes packed into SQS's 10-attribute limit the way every Sluice reader unpacks them. On a
 * FIFO queue the group is the message group and the {@code sluice-message-id} the deduplication id; on a standard
 * queue the group is not sent. A message over the size limit, with a delay over 900 s, with a delay on a FIFO queue,
 * without a group on a FIFO queue, or whose body is not UTF-8 text fails with a reason and is not sent.
 *
 * <p>With an envelope that has a payload store ({@link Envelope.Builder#payloadStore}, e.g. an {@link S3PayloadStore}),
 * a body over its threshold or too large for SQS is stored there and the message carries the pointer, in the Amazon
 * SQS Extended Client Library's form: the {@value ClaimCheck#SIZE_ATTRIBUTE} attribute travels as a native
 * {@code Number} attribute, never packed, so that library's consumers read these messages too. The object of a
 * message that SQS certainly did not enqueue (refused, or failed entry by entry on every attempt) is deleted; after a
 * request that failed as a whole, which may have enqueued it, the object stays for the bucket's lifecycle rule.
 */
public final class SqsMessageSender implements MessageSender {
    /** SQS's limit of entries per {@code SendMessageBatch}. */
    public static final int MAX_ENTRIES = 10;
    /** SQS's limit on one message and on a whole batch request (body plus attribute names, types and values): 256 KiB. */
    public static final int MAX_REQUEST_BYTES = 256 * 1024;
    /** The longest per-message delay SQS accepts. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(900);

    private final SqsClient sqs;
    private final String queueUrl;
    private final String queueName;
    private final boolean fifo;
    private final Envelope envelope;
    private final MetricsSink metrics;
    private final SendRetry retry;
    private final Tracing tracing;

    private SqsMessageSender(SenderBuilder.Options options, SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueName = queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
        this.fifo = SqsFifo.isFifo(queueUrl);
        this.envelope = options.envelope();
        this.metrics = options.metrics();
        this.retry = options.retry();
        this.tracing = options.tracing();
    }

    /** @return a builder; {@code sqs} and {@code queue} are required */
    public static Builder builder() {
        return new Builder();
    }

    private sealed interface Prepared permits Pending, Refused {}

    private record Pending(int index, String messageId, SendMessageBatchRequestEntry entry, int bytes,
                           Envelope.Sealed sealed) implements Prepared {}

    private record Refused(String reason) implements Prepared {}

    @Override
    public List<SendResult> sendAll(List<OutboundMessage> messages) {
        return SendSpan.around(tracing, SqsMessages.MESSAGING_SYSTEM, queueName, messages.size(), () -> sendUntraced(messages));
    }

    private List<SendResult> sendUntraced(List<OutboundMessage> messages) {
        long start = System.nanoTime();
        SendResult[] results = new SendResult[messages.size()];
        List<Pending> pending = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            OutboundMessage message = Objects.requireNonNull(messages.get(i), "message");
            Envelope.Sealed sealed;
            try {
                sealed = envelope.seal(message, MAX_REQUEST_BYTES);
            } catch (RuntimeException e) {
                results[i] = SendResult.Failed.notStored(e);
                continue;
            }
            switch (prepare(i, sealed)) {
                case Refused refused -> {
                    results[i] = new SendResult.Failed(sealed.messageId(), refused.reason());
                    envelope.discard(sealed);
                }
                case Pending entry -> pending.add(entry);
            }
        }
        for (List<Pending> chunk : chunks(pending)) {
            send(chunk, results);
        }
        List<SendResult> all = List.of(results);
        SendMetrics.record(metrics, queueName, all, Duration.ofNanos(System.nanoTime() - start));
        return all;
    }

    /** @return the entry to send, or why the message cannot be sent */
    private Prepared prepare(int index, Envelope.Sealed sealed) {
        String body;
        try {
            body = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(sealed.body())).toString();
        } catch (CharacterCodingException e) {
            return new Refused("the body is not UTF-8 text, and SQS carries text only (compress it: gzip travels as base64)");
        }
        Duration delay = sealed.delay();
        if (delay.compareTo(MAX_DELAY) > 0) {
            return new Refused("delay must be between 0 and 900 s on SQS, got " + delay.toSeconds() + " s");
        }
        if (fifo && !delay.isZero()) {
            return new Refused("a FIFO queue takes no per-message delay (set the queue's DelaySeconds instead)");
        }
        if (fifo && sealed.groupId() == null) {
            return new Refused("a FIFO queue needs a message group: set groupId");
        }
        Map<String, MessageAttributeValue> attributes = SqsAttributes.pack(typed(sealed.attributes()));
        int bytes = size(body, attributes);
        if (bytes > MAX_REQUEST_BYTES) {
            return new Refused("the message is " + bytes + " bytes with its attributes; SQS accepts at most "
                    + MAX_REQUEST_BYTES + (sealed.stored() != null ? " even with its body stored as " + sealed.stored()
                    + " (its attributes are too large)"
                    : " (configure a payload store, Envelope.payloadStore with an S3PayloadStore, to send the body"
                    + " through S3; or compress it with Envelope.compressAboveBytes)"));
        }
        SendMessageBatchRequestEntry.Builder entry = SendMessageBatchRequestEntry.builder().id(Integer.toString(index))
                .messageBody(body).messageAttributes(attributes);
        if (fifo) {
            entry.messageGroupId(sealed.groupId()).messageDeduplicationId(sealed.messageId());
        } else if (!delay.isZero()) {
            entry.delaySeconds((int) delay.toSeconds());
        }
        return new Pending(index, sealed.messageId(), entry.build(), bytes, sealed);
    }

    private static Map<String, MessageAttributeValue> typed(Map<String, String> attributes) {
        Map<String, MessageAttributeValue> typed = new java.util.LinkedHashMap<>();
        attributes.forEach((name, value) -> typed.put(name, ClaimCheck.SIZE_ATTRIBUTE.equals(name)
                ? SqsAttributes.number(value) : SqsAttributes.string(value)));
        return typed;
    }

    /** SQS counts the body and each attribute's name, data type and value. */
    private static int size(String body, Map<String, MessageAttributeValue> attributes) {
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        for (Map.Entry<String, MessageAttributeValue> a : attributes.entrySet()) {
            bytes += utf8(a.getKey()) + utf8(a.getValue().dataType()) + utf8(a.getValue().stringValue());
        }
        return bytes;
    }

    private static int utf8(@Nullable String text) {
        return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static List<List<Pending>> chunks(List<Pending> pending) {
        List<List<Pending>> chunks = new ArrayList<>();
        List<Pending> current = new ArrayList<>();
        int bytes = 0;
        for (Pending p : pending) {
            if (current.size() == MAX_ENTRIES || bytes + p.bytes() > MAX_REQUEST_BYTES) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(p);
            bytes += p.bytes();
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    /** Sends one chunk, retrying what failed for a reason not the sender's, until it is sent or attempts run out. */
    private void send(List<Pending> chunk, SendResult[] results) {
        List<Pending> remaining = chunk;
        // entries of a request that failed as a whole may have been enqueued: their stored payloads must stay
        java.util.Set<Pending> maybeSent = new java.util.HashSet<>();
        for (int attempt = 1; !remaining.isEmpty(); attempt++) {
            List<Pending> again = new ArrayList<>();
            List<Pending> batch = remaining;
            try {
                SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl)
                        .entries(batch.stream().map(Pending::entry).toList()));
                for (SendMessageBatchResultEntry ok : response.successful()) {
                    Pending p = byId(batch, ok.id());
                    results[p.index()] = new SendResult.Sent(p.messageId(), ok.messageId());
                }
                for (BatchResultErrorEntry failed : response.failed()) {
                    Pending p = byId(batch, failed.id());
                    results[p.index()] = new SendResult.Failed(p.messageId(), failed.code() + ": " + failed.message());
                    // the sender's fault (bad contents, a bad attribute) fails again unchanged; the rest is SQS's
                    if (!Boolean.TRUE.equals(failed.senderFault())) {
                        again.add(p);
                    } else if (!maybeSent.contains(p)) {
                        envelope.discard(p.sealed());
                    }
                }
            } catch (SdkException e) {
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                for (Pending p : batch) {
                    results[p.index()] = new SendResult.Failed(p.messageId(), error);
                    again.add(p);
                    maybeSent.add(p);
                }
            }
            if (again.isEmpty() || !retry.allowsAfter(attempt)) {
                int attempts = attempt;
                again.forEach(p -> results[p.index()] = new SendResult.Failed(p.messageId(),
                        ((SendResult.Failed) results[p.index()]).reason() + " (after " + attempts + " attempts)"));
                // SQS said each of these failed, every time: none is on the queue, so its payload goes
                again.stream().filter(p -> !maybeSent.contains(p)).forEach(p -> envelope.discard(p.sealed()));
                return;
            }
            retry.pauseAfter(attempt);
            remaining = again;
        }
    }

    private static Pending byId(List<Pending> batch, String id) {
        return batch.stream().filter(p -> p.entry().id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalStateException("SQS answered for an entry it was not sent: " + id));
    }


    /** Builds an {@link SqsMessageSender}. */
    public static final class Builder extends SenderBuilder<Builder> {
        private @Nullable SqsClient sqs;
        private @Nullable String queue;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** @param sqs the client (shared; the sender does not close it) @return this */
        public Builder sqs(SqsClient sqs) {
            this.sqs = Objects.requireNonNull(sqs, "sqs");
            return this;
        }

        /**
         * @param queue the queue's URL, or its name (resolved once, in {@link #build()}); a name ending in
         *     {@code .fifo} makes it FIFO
         * @return this
         */
        public Builder queue(String queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /**
         * @return the sender
         * @throws IllegalArgumentException naming a missing or bad property
         * @throws software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException when a queue name is unknown
         */
        public SqsMessageSender build() {
            if (sqs == null) {
                throw new IllegalArgumentException("sqs is required");
            }
            if (queue == null || queue.isBlank()) {
                throw new IllegalArgumentException("queue is required");
            }
            return new SqsMessageSender(options(), sqs, QueueUrls.resolve(sqs, queue));
        }
    }
}
